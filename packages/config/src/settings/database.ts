import Type from 'typebox'
import { derived, optional, setting } from '../setting.ts'
import { serverUrl } from './server-url.ts'
import { Integer, isProduction } from './types.ts'

export const database = {
  url: serverUrl(
    'DATABASE',
    '^postgres(ql)?://',
    '`postgres://user@host:5432/db`; unset in dev → embedded PGlite',
  ),
  password: optional(
    'DATABASE_PASSWORD',
    Type.String({ minLength: 1 }),
    'Written into `DATABASE_URL` (use `DATABASE_PASSWORD_FILE` with secrets)',
    { secret: true },
  ),
  poolMax: setting('DATABASE_POOL_MAX', Integer(1, 200, 10), 'Connections per replica'),
  transactionPooler: setting(
    'DATABASE_TRANSACTION_POOLER',
    Type.Boolean({ default: false }),
    '`true` when `DATABASE_URL` is a pooler in transaction mode (PgBouncer): no named statements and no session settings (set the timeouts on the role); see docs/scaling.md',
  ),
  connectTimeoutMs: setting(
    'DATABASE_CONNECT_TIMEOUT_MS',
    Integer(100, 60_000, 2000),
    'Longest wait for a connection, new or from the pool; past it the request gets 503',
  ),
  statementTimeoutMs: setting(
    'DATABASE_STATEMENT_TIMEOUT_MS',
    Integer(100, 600_000, 2000),
    "Postgres's `statement_timeout`; the client gives up 500 ms later if the server does not answer at all",
  ),
  lockTimeoutMs: setting('DATABASE_LOCK_TIMEOUT_MS', Integer(10, 600_000, 1000), "Postgres's `lock_timeout`"),
  idleInTransactionTimeoutMs: setting(
    'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS',
    Integer(100, 3_600_000, 5000),
    "Postgres's `idle_in_transaction_session_timeout`",
  ),
  migrateOnStart: derived(
    optional(
      'DATABASE_MIGRATE_ON_START',
      Type.Boolean(),
      'Apply pending migrations at start (advisory-locked)',
    ),
    (value, env) => value ?? !isProduction(env),
    '`true` except in production',
  ),
  insertBatchMax: setting(
    'DATABASE_INSERT_BATCH_MAX',
    Integer(1, 1000, 100),
    'Most messages committed in one INSERT (group commit); `1` turns it off',
  ),
  insertConcurrency: setting(
    'DATABASE_INSERT_CONCURRENCY',
    Integer(1, 100, 2),
    'INSERTs in flight at once per replica',
  ),
  insertQueueMax: setting(
    'DATABASE_INSERT_QUEUE_MAX',
    Integer(0, 100_000, 1000),
    'Messages that may wait for an INSERT; past it a post gets 503 at once, and nothing is written',
  ),
  embeddedDataDir: setting(
    'PGLITE_DATA_DIR',
    Type.String({ minLength: 1, default: '.data/pglite' }),
    'Where `pnpm dev` keeps the embedded database',
  ),
}
