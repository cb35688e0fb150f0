import { STATUS_CODES } from 'node:http'
import { CacheUnavailableError } from '@app/cache'

/** An error that becomes a problem+json response with its own status. */
export class HttpProblem extends Error {
  readonly statusCode: number
  readonly code: string

  constructor(statusCode: number, code: string, detail: string) {
    super(detail)
    this.name = 'HttpProblem'
    this.statusCode = statusCode
    this.code = code
  }
}

/** Postgres is down or restarting: say 503 so clients retry, not 500. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08001',
  '08003',
  '08006',
])

const UNAVAILABLE_MESSAGES = /timeout exceeded when trying to connect|Connection terminated/

/** The cache store is away, or (walking the `cause` chain as Drizzle wraps driver errors) Postgres refused the connection. */
export function isDependencyUnavailable(error: unknown): boolean {
  if (error instanceof CacheUnavailableError) return true
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true
    if (UNAVAILABLE_MESSAGES.test(current.message)) return true
  }
  return false
}

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error'
}
