import type { SQL } from 'drizzle-orm'
import { encodeCursor, type MessageCursor } from './cursor.ts'
import type { Database } from './database.ts'
import { orm } from './drizzle.ts'
import { type Message, messages } from './schema.ts'
import { statementName } from './statement-name.ts'

const { eq, sql } = orm

export interface MessagePage {
  items: Message[]
  /** Null on the last page. */
  nextCursor: string | null
}

// `nulls last` as in the messages_newest_first index: a plain `desc` means
// nulls first, which the index cannot serve, and Postgres then sorted the
// whole table for every page.
const newestFirst: SQL[] = [sql`${messages.createdAt} desc nulls last`, sql`${messages.id} desc nulls last`]

/** The hot reads, prepared once per database handle (named statements, parsed once per connection). */
function prepare(db: Database) {
  return {
    byId: db
      .select()
      .from(messages)
      .where(eq(messages.id, sql.placeholder('id')))
      .prepare(statementName('message_by_id')),
    newest: db
      .select()
      .from(messages)
      .orderBy(...newestFirst)
      .limit(sql.placeholder('limit'))
      .prepare(statementName('messages_newest')),
    olderThan: db
      .select()
      .from(messages)
      .where(
        sql`(${messages.createdAt}, ${messages.id}) < (${sql.placeholder('createdAt')}, ${sql.placeholder('id')})`,
      )
      .orderBy(...newestFirst)
      .limit(sql.placeholder('limit'))
      .prepare(statementName('messages_older_than')),
  }
}

const prepared = new WeakMap<Database, ReturnType<typeof prepare>>()
function statements(db: Database): ReturnType<typeof prepare> {
  let found = prepared.get(db)
  if (!found) {
    found = prepare(db)
    prepared.set(db, found)
  }
  return found
}

export async function createMessage(db: Database, content: string): Promise<Message> {
  const [row] = await db.insert(messages).values({ content }).returning()
  if (!row) throw new Error('INSERT … RETURNING returned no row')
  return row
}

export async function getMessage(db: Database, id: number): Promise<Message | undefined> {
  const [row] = await statements(db).byId.execute({ id })
  return row
}

/** Newest first, keyset-paginated on (created_at, id) so pages never shift. */
export async function listMessages(
  db: Database,
  { limit, cursor }: { limit: number; cursor?: MessageCursor | undefined },
): Promise<MessagePage> {
  const { newest, olderThan } = statements(db)
  const rows = cursor
    ? await olderThan.execute({ limit: limit + 1, createdAt: cursor.createdAt, id: cursor.id })
    : await newest.execute({ limit: limit + 1 })
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
}
