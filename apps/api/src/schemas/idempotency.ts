import Type from 'typebox'
import { problemResponse } from './problem.ts'

// The Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header) as the
// write operations document it: the request header, the replay marker, and the
// two errors a key can get.

/** A Structured Field string: printable ASCII in quotes, `\"` and `\\` escaped. */
const SF_STRING = '^"(?:[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]|\\\\["\\\\]){1,255}"$'

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: SF_STRING,
      description:
        'Makes a retry safe: a retry with the same key and body gets the first answer (status, body, ' +
        'Location) without writing again, for IDEMPOTENCY_RETENTION_HOURS (24 h). A Structured Field ' +
        'string, quoted; a UUID is a good key. Keys are per client.',
      examples: ['"8e03978e-40d5-43e8-bc93-6894a57f9324"'],
    }),
  ),
})

export const replayedHeader = {
  'idempotent-replayed': Type.Literal('true', {
    description:
      'Sent only when this is the stored answer to an earlier request with the same Idempotency-Key',
    'x-conditional': true,
  }),
}

export const keyReused = (instance: string) =>
  problemResponse('The Idempotency-Key was used before with another body; nothing was done', {
    status: 422,
    detail: 'This Idempotency-Key was already used with another request; use a new key for a new request',
    instance,
    code: 'IDEMPOTENCY_KEY_REUSED',
  })

export const keyInFlight = (instance: string) => ({
  ...problemResponse(
    'A request with this Idempotency-Key is still being processed; retry after Retry-After',
    {
      status: 409,
      detail: 'A request with this Idempotency-Key is still being processed; retry shortly',
      instance,
      code: 'IDEMPOTENCY_KEY_IN_USE',
    },
  ),
  headers: { 'retry-after': Type.Integer({ minimum: 0, description: 'Seconds to wait before retrying' }) },
})
