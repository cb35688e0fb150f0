import { orm, pgCore } from './drizzle.ts'

const { sql } = orm
const { check, index, integer, pgTable, text, timestamp } = pgCore

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

export type Message = typeof messages.$inferSelect
