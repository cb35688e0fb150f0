export { createDatabase, type Database } from './database.ts'
export {
  deleteExpiredIdempotencyKeys,
  findIdempotentResult,
  type IdempotentResult,
  isIdempotencyKeyConflict,
} from './idempotency.ts'
export {
  createMessageWriter,
  type IdempotencyRecord,
  type MessageWriter,
  type MessageWriterOptions,
  type NewMessage,
  WriteQueueFullError,
  type WrittenMessage,
} from './message-writer.ts'
export {
  createMessage,
  deleteMessage,
  getMessage,
  LIST_NEWEST_SQL,
  LIST_OLDER_THAN_SQL,
  listMessages,
  listNewestWithRevision,
  type MessageCursor,
  type MessageRowPage,
} from './messages.ts'
export { MIGRATIONS_FOLDER, runMigrations } from './migrate.ts'
export { readBoardRevision } from './revision.ts'
export { boardRevision, idempotencyKeys, MESSAGE_MAX_LENGTH, type MessageRow, messages } from './schema.ts'
export { isDatabaseUnavailable } from './unavailable.ts'
