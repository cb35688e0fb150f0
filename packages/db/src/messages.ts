import { desc, eq, sql } from 'drizzle-orm'
import { encodeCursor, type MessageCursor } from './cursor.ts'
import type { Database } from './database.ts'
import { type Message, messages } from './schema.ts'

export interface MessagePage {
  items: Message[]
  /** Null on the last page. */
  nextCursor: string | null
}

export async function createMessage(db: Database, content: string): Promise<Message> {
  const [row] = await db.insert(messages).values({ content }).returning()
  if (!row) throw new Error('INSERT … RETURNING returned no row')
  return row
}

export async function getMessage(db: Database, id: number): Promise<Message | undefined> {
  const [row] = await db.select().from(messages).where(eq(messages.id, id))
  return row
}

/** Newest first, keyset-paginated on (created_at, id) so pages never shift. */
export async function listMessages(
  db: Database,
  { limit, cursor }: { limit: number; cursor?: MessageCursor | undefined },
): Promise<MessagePage> {
  const rows = await db
    .select()
    .from(messages)
    .where(cursor && sql`(${messages.createdAt}, ${messages.id}) < (${cursor.createdAt}, ${cursor.id})`)
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit + 1)
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
}
