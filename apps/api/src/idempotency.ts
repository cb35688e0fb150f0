import { createHash } from 'node:crypto'
import { parseItem } from 'structured-headers'
import { HttpProblem } from './plugins/errors.ts'

/**
 * The `Idempotency-Key` request header (draft-ietf-httpapi-idempotency-key-header):
 * a Structured Field string, e.g. `"8e03978e-40d5-43e8-bc93-6894a57f9324"`.
 * The route schema checks its shape; this reads the value.
 */
export function readIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  try {
    const [value] = parseItem(header)
    if (typeof value === 'string' && value.length > 0) return value
  } catch {
    // falls through to the problem below
  }
  throw new HttpProblem(
    400,
    'INVALID_IDEMPOTENCY_KEY',
    'Idempotency-Key must be a quoted string (a Structured Field string), e.g. "4f0c…"',
  )
}

/** What makes two requests "the same request" for a key: the operation and its body. */
export function requestFingerprint(operation: string, body: unknown): string {
  return createHash('sha256')
    .update(`${operation}\n${JSON.stringify(body ?? null)}`)
    .digest('base64url')
}

export function keyReusedProblem(): HttpProblem {
  return new HttpProblem(
    422,
    'IDEMPOTENCY_KEY_REUSED',
    'This Idempotency-Key was already used with another request; use a new key for a new request',
  )
}

export function keyInFlightProblem(): HttpProblem {
  return new HttpProblem(
    409,
    'IDEMPOTENCY_KEY_IN_USE',
    'A request with this Idempotency-Key is still being processed; retry shortly',
    { retryAfterSeconds: 1 },
  )
}
