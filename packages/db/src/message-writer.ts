import type { Database } from './database.ts'
import type { Message } from './schema.ts'
import { statementName } from './statement-name.ts'

export interface MessageWriterOptions {
  /** Most rows in one INSERT; 1 turns group commit off. */
  maxBatch?: number
}

export type MessageWriter = (content: string) => Promise<Message>

interface Pending {
  content: string
  resolve(message: Message): void
  reject(error: unknown): void
}

interface Row {
  id: number
  content: string
  created_at: Date
}

// One statement for any batch size: the array is one parameter. Identity
// values are drawn in `position` order, so sorting the returned rows by id
// gives them back in the callers' order.
const INSERT = {
  name: statementName('messages_insert_batch'),
  text: `insert into messages (content)
    select content from unnest($1::text[]) with ordinality as batch(content, position)
    order by position
    returning id, content, created_at`,
}

/**
 * Group commit: messages written while an INSERT is in flight wait and go
 * together in the next one, a single transaction, so N concurrent writers
 * cost one round trip and one commit instead of N. Each caller gets its own
 * row, and only once the transaction committed. If a batch fails on its data
 * (a constraint, a value Postgres refuses), its rows are retried one by one,
 * so only the bad row fails; a connection error fails the whole batch.
 */
export function createMessageWriter(db: Database, options: MessageWriterOptions = {}): MessageWriter {
  const maxBatch = Math.max(1, options.maxBatch ?? 100)
  const client = db.$client
  let queue: Pending[] = []
  let inFlight = false

  const insert = async (contents: string[]): Promise<Message[]> => {
    const { rows } = await client.query<Row>({ ...INSERT, values: [contents] })
    return rows
      .sort((a, b) => a.id - b.id)
      .map((row) => ({ id: row.id, content: row.content, createdAt: row.created_at }))
  }

  if (maxBatch === 1) {
    // No group commit: every write is its own INSERT, as many at once as the pool allows.
    return async (content) => (await insert([content]))[0] as Message
  }

  const write = async (batch: Pending[]): Promise<void> => {
    try {
      const rows = await insert(batch.map((pending) => pending.content))
      if (rows.length !== batch.length)
        throw new Error(`INSERT returned ${rows.length} of ${batch.length} rows`)
      batch.forEach((pending, i) => {
        pending.resolve(rows[i] as Message)
      })
    } catch (error) {
      if (batch.length > 1 && isDataError(error)) {
        await Promise.all(batch.map((pending) => write([pending])))
      } else {
        for (const pending of batch) pending.reject(error)
      }
    }
  }

  const flush = (): void => {
    if (inFlight || queue.length === 0) return
    const batch = queue.slice(0, maxBatch)
    queue = queue.slice(maxBatch)
    inFlight = true
    void write(batch).finally(() => {
      inFlight = false
      flush()
    })
  }

  return (content) =>
    new Promise<Message>((resolve, reject) => {
      queue.push({ content, resolve, reject })
      flush()
    })
}

/** SQLSTATE class 22 (data exception) or 23 (integrity constraint violation). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))
}
