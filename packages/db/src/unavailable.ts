/**
 * SQLSTATEs and socket error codes that mean "Postgres is away, restarting,
 * refusing connections or too slow to answer in time", not "this query is
 * wrong": the caller should answer 503 and the client retry.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08006', // connection_failure
])

/**
 * pg raises these without any code: a pool or client that could not connect
 * in time, a connection that closed under a query or before it, and a query
 * unanswered within query_timeout. Their text is pg's own (pg-pool and
 * pg/lib/client), not the server's.
 */
const UNCODED_DRIVER_ERRORS = [
  'timeout exceeded when trying to connect',
  'timeout expired',
  'Connection terminated',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]

/** True when `error`, or an error in its `cause` chain (Drizzle wraps driver errors), says Postgres is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') {
      if (UNAVAILABLE_CODES.has(code)) return true
      continue
    }
    if (UNCODED_DRIVER_ERRORS.some((text) => current.message.startsWith(text))) return true
  }
  return false
}
