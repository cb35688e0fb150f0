import type { Database } from './database.ts'
import { readBoardRevision } from './revision.ts'
import type { MessageRow } from './schema.ts'
import { statementName } from './statement-name.ts'

export interface MessageWriterOptions {
  /** Most rows in one INSERT; 1 turns group commit off. */
  maxBatch?: number
  /** INSERTs in flight at once. */
  concurrency?: number
  /** Writes that may wait for an INSERT; one more is refused (WriteQueueFullError). */
  queueMax?: number
  /** Told the size of every INSERT sent, and the queue's length whenever it changes (metrics). */
  onBatch?: (size: number) => void
  onQueueDepth?: (depth: number) => void
}

/** What an Idempotency-Key's record holds: who sent it, the key, and a hash of the request. */
export interface IdempotencyRecord {
  client: string
  key: string
  fingerprint: string
}

export interface NewMessage {
  content: string
  /** Stored in the transaction that stores the message. */
  idempotency?: IdempotencyRecord
}

export interface WrittenMessage {
  message: MessageRow
  /** The board's revision once this write committed (or a later one); undefined if it
   * could not be read after the commit (the write still stands). */
  revision: number | undefined
}

export type MessageWriter = (message: NewMessage) => Promise<WrittenMessage>

/** The writer's queue is full: the write was not attempted. */
export class WriteQueueFullError extends Error {
  constructor(queueMax: number) {
    super(`the write queue is full (${queueMax} waiting)`)
    this.name = 'WriteQueueFullError'
  }
}

interface Pending {
  message: NewMessage
  resolve(written: WrittenMessage): void
  reject(error: unknown): void
}

interface Row {
  id: number
  content: string
  created_at: Date
}

// One statement (so one transaction) for any batch: the messages and the
// idempotency records of those that carry one. Identity values are drawn in
// `position` order, so numbering the inserted rows by id gives each its
// caller back.
const INSERT = {
  name: statementName('messages_insert_batch'),
  text: `with batch as (
      select * from unnest($1::text[], $2::text[], $3::text[], $4::text[])
        with ordinality as b(content, client, key, fingerprint, position)
    ), inserted as (
      insert into messages (content) select content from batch order by position
      returning id, content, created_at
    ), numbered as (
      select *, row_number() over (order by id) as position from inserted
    ), recorded as (
      insert into idempotency_keys (client, key, fingerprint, message_id, message)
      select b.client, b.key, b.fingerprint, n.id,
        jsonb_build_object('id', n.id, 'content', n.content, 'createdAt', n.created_at)
      from numbered n join batch b using (position)
      where b.key is not null
    )
    select id, content, created_at from inserted order by id`,
}

/**
 * Group commit: messages written while INSERTs are in flight wait and go
 * together in the next one, a single transaction, so N concurrent writers
 * cost a few round trips and commits instead of N. Each caller gets its own
 * row, and only once the transaction committed. If a batch fails on its data
 * (a constraint, a reused idempotency key), its rows are retried one by one,
 * so only the bad row fails; a connection error fails the whole batch.
 * The queue is bounded: past `queueMax` waiting writes, a write is refused at
 * once rather than queued behind work that cannot finish in time.
 */
export function createMessageWriter(db: Database, options: MessageWriterOptions = {}): MessageWriter {
  const maxBatch = Math.max(1, options.maxBatch ?? 100)
  const concurrency = Math.max(1, options.concurrency ?? 2)
  const queueMax = Math.max(0, options.queueMax ?? 1000)
  const client = db.$client
  let queue: Pending[] = []
  let inFlight = 0

  const insert = async (messages: NewMessage[]): Promise<MessageRow[]> => {
    const column = (pick: (message: NewMessage) => string | undefined) => messages.map((m) => pick(m) ?? null)
    const { rows } = await client.query<Row>({
      ...INSERT,
      values: [
        column((m) => m.content),
        column((m) => m.idempotency?.client),
        column((m) => m.idempotency?.key),
        column((m) => m.idempotency?.fingerprint),
      ],
    })
    if (rows.length !== messages.length)
      throw new Error(`INSERT returned ${rows.length} of ${messages.length} rows`)
    return rows.map((row) => ({ id: row.id, content: row.content, createdAt: row.created_at }))
  }

  const write = async (batch: Pending[]): Promise<void> => {
    try {
      const rows = await insert(batch.map((pending) => pending.message))
      const revision = await readBoardRevision(db).catch(() => undefined)
      batch.forEach((pending, i) => {
        pending.resolve({ message: rows[i] as MessageRow, revision })
      })
    } catch (error) {
      if (batch.length > 1 && isDataError(error)) {
        // In order, so that of two writes reusing one key the earlier one wins.
        for (const pending of batch) await write([pending])
      } else {
        for (const pending of batch) pending.reject(error)
      }
    }
  }

  const flush = (): void => {
    while (inFlight < concurrency && queue.length > 0) {
      const batch = queue.slice(0, maxBatch)
      queue = queue.slice(maxBatch)
      options.onBatch?.(batch.length)
      options.onQueueDepth?.(queue.length)
      inFlight++
      void write(batch).finally(() => {
        inFlight--
        flush()
      })
    }
  }

  return (message) =>
    new Promise<WrittenMessage>((resolve, reject) => {
      if (queue.length >= queueMax && inFlight >= concurrency)
        return reject(new WriteQueueFullError(queueMax))
      queue.push({ message, resolve, reject })
      options.onQueueDepth?.(queue.length)
      flush()
    })
}

/** SQLSTATE class 22 (data exception) or 23 (integrity constraint violation). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))
}
