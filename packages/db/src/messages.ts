import type { Database } from './database.ts'
import { orm } from './drizzle.ts'
import { readBoardRevision } from './revision.ts'
import { type MessageRow, messages } from './schema.ts'
import { statementName } from './statement-name.ts'

const { eq, sql } = orm

/** Where a page starts: the last row of the previous one. */
export interface MessageCursor {
  createdAt: Date
  id: number
}

export interface MessageRowPage {
  items: MessageRow[]
  /** Where the next page starts; null on the last page. */
  next: MessageCursor | null
}

/** The hot reads, prepared once per database handle (named statements, parsed once per connection). */
function prepare(db: Database) {
  return {
    deleteById: db
      .delete(messages)
      .where(eq(messages.id, sql.placeholder('id')))
      .returning()
      .prepare(statementName('message_delete')),
    byId: db
      .select()
      .from(messages)
      .where(eq(messages.id, sql.placeholder('id')))
      .prepare(statementName('message_by_id')),
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

export async function createMessage(db: Database, content: string): Promise<MessageRow> {
  const [row] = await db.insert(messages).values({ content }).returning()
  if (!row) throw new Error('INSERT … RETURNING returned no row')
  return row
}

export async function getMessage(db: Database, id: number): Promise<MessageRow | undefined> {
  const [row] = await statements(db).byId.execute({ id })
  return row
}

/**
 * Deletes one message. Returns the row it removed (undefined if there was none)
 * and the board's revision after the delete committed, for the cache.
 */
export async function deleteMessage(
  db: Database,
  id: number,
): Promise<{ deleted: MessageRow | undefined; revision: number | undefined }> {
  const [deleted] = await statements(db).deleteById.execute({ id })
  const revision = deleted ? await readBoardRevision(db).catch(() => undefined) : undefined
  return { deleted, revision }
}

interface ListRow {
  id: number
  content: string
  created_at: Date
}

// The list's SQL, as pgbench runs it too (bench/src/load/pgbench-list.sql):
// named statements on the pool's client, rows mapped by hand.
// `nulls last` as in the messages_newest_first index: a plain `desc` means
// nulls first, which the index cannot serve, and Postgres then sorted the
// whole table for every page.
const ORDER = 'order by created_at desc nulls last, id desc nulls last'
export const LIST_NEWEST_SQL = `select id, content, created_at from messages ${ORDER} limit $1`
export const LIST_OLDER_THAN_SQL = `select id, content, created_at from messages where (created_at, id) < ($2, $3) ${ORDER} limit $1`
const NEWEST = { name: statementName('list_newest'), text: LIST_NEWEST_SQL }
const OLDER_THAN = { name: statementName('list_older_than'), text: LIST_OLDER_THAN_SQL }
// The first page and the revision it shows, in one statement (one snapshot):
// a writer leaves this page in the cache under exactly this revision.
const NEWEST_WITH_REVISION = {
  name: statementName('list_newest_with_revision'),
  text: `select r.revision, m.id, m.content, m.created_at from board_revision r
    left join lateral (select id, content, created_at from messages ${ORDER} limit $1) m on true`,
}

const page = (rows: ListRow[], limit: number): MessageRowPage => {
  const count = Math.min(rows.length, limit)
  const items: MessageRow[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const row = rows[i] as ListRow
    items[i] = { id: row.id, content: row.content, createdAt: row.created_at }
  }
  const last = items[count - 1]
  return { items, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null }
}

/** Newest first, keyset-paginated on (created_at, id) so pages never shift. */
export async function listMessages(
  db: Database,
  { limit, cursor }: { limit: number; cursor?: MessageCursor | undefined },
): Promise<MessageRowPage> {
  const { rows } = await db.$client.query<ListRow>(
    cursor
      ? { ...OLDER_THAN, values: [limit + 1, cursor.createdAt, cursor.id] }
      : { ...NEWEST, values: [limit + 1] },
  )
  return page(rows, limit)
}

/**
 * The first page and the board's revision it shows, read in one snapshot:
 * what a writer leaves in the cache after its commit. The revision is at
 * least that of every change committed before the call.
 */
export async function listNewestWithRevision(
  db: Database,
  limit: number,
): Promise<MessageRowPage & { revision: number }> {
  const { rows } = await db.$client.query<ListRow & { revision: string }>({
    ...NEWEST_WITH_REVISION,
    values: [limit + 1],
  })
  const revision = Number(rows[0]?.revision ?? Number.NaN)
  if (!Number.isSafeInteger(revision)) throw new Error('board_revision has no row')
  return { ...page(rows[0]?.id === null ? [] : rows, limit), revision }
}
