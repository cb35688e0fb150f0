import { orm, pgCore } from './drizzle.ts'

const { sql } = orm
const { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp } = pgCore

export const MESSAGE_MAX_LENGTH = 1000

export const messages = pgTable(
  'messages',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    content: text('content').notNull(),
    // Millisecond precision: a JavaScript Date holds the value exactly, so a
    // pagination cursor built from it compares equal to the stored row.
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    check(
      'messages_content_length',
      sql`char_length(${table.content}) between 1 and ${sql.raw(String(MESSAGE_MAX_LENGTH))}`,
    ),
    index('messages_newest_first').on(table.createdAt.desc(), table.id.desc()),
  ],
)

export type MessageRow = typeof messages.$inferSelect

/**
 * One row: a number that grows with every committed change to `messages`
 * (a trigger bumps it in the changing transaction, so it is visible exactly
 * when the change is). Caches version their pages by it; it never repeats,
 * whatever happens to the cache.
 */
export const boardRevision = pgTable(
  'board_revision',
  {
    only: boolean('only').primaryKey().default(true),
    revision: bigint('revision', { mode: 'number' }).notNull().default(0),
  },
  (table) => [check('board_revision_one_row', sql`${table.only}`)],
)

/**
 * What an Idempotency-Key created: written in the transaction that creates
 * the message, so a key never exists without its message or the reverse.
 * `message` is the created message as it was, so a retry gets the original
 * answer even after a moderator deleted it.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    client: text('client').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    messageId: integer('message_id').notNull(),
    message: jsonb('message').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.client, table.key] }),
    index('idempotency_keys_created_at').on(table.createdAt),
  ],
)
