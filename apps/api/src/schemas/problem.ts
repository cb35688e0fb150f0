import Type, { type Static, type TSchema } from 'typebox'
import { PROBLEM_CONTENT_TYPE, statusTitle } from '../plugins/errors.ts'
import { ref } from './ref.ts'

// The OpenAPI documentation of the error pipeline (plugins/errors.ts): the
// Problem body and the documented error responses routes declare.

/** RFC 9457 problem details, the body of every error response. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI reference identifying the problem type' }),
    title: Type.String({ description: 'Short summary: the HTTP status phrase' }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String({ description: 'What went wrong with this request' }),
    instance: Type.String({ description: 'The request path' }),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          in: Type.String({ description: 'body, querystring, params or headers' }),
          field: Type.String(),
          message: Type.String(),
        }),
        { description: 'Each invalid field, on validation errors' },
      ),
    ),
  },
  {
    $id: 'Problem',
    description: 'RFC 9457 problem details',
    examples: [
      {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: "body field 'content' is required",
        instance: '/api/messages',
        code: 'VALIDATION_FAILED',
        errors: [{ in: 'body', field: 'content', message: 'is required' }],
      },
    ],
  },
)

export type ProblemBody = Static<typeof Problem>
export type FieldError = NonNullable<ProblemBody['errors']>[number]

/** An example body; `type` and `title` follow from the status. Extension members are allowed. */
type ProblemExample = Omit<Static<typeof Problem>, 'type' | 'title'> & Record<string, unknown>

/**
 * A documented error response whose body is `schema` as problem+json, with
 * an example of this very error when one is given.
 */
export function problemResponse<T extends TSchema>(
  description: string,
  example?: ProblemExample,
  schema: T = Problem as unknown as T,
) {
  const media = {
    schema: ref(schema),
    ...(example && { example: { type: 'about:blank', title: statusTitle(example.status), ...example } }),
  }
  return { description, content: { [PROBLEM_CONTENT_TYPE]: media } }
}

/** Any route can fail on a bug: the body says so and carries no details. */
export function internalError(instance: string) {
  return problemResponse('An unexpected error; the body never carries details', {
    status: 500,
    detail: 'An unexpected error occurred',
    instance,
    code: 'INTERNAL_ERROR',
  })
}

/**
 * A backing service did not answer in time (DEPENDENCY_UNAVAILABLE), or the
 * replica is shedding load (OVERLOADED): clients should retry after `retry-after`.
 */
export function dependencyUnavailable(description: string, instance: string) {
  return {
    ...problemResponse(`${description}, or the replica is overloaded (code OVERLOADED)`, {
      status: 503,
      detail: 'A backing service is unavailable; retry shortly',
      instance,
      code: 'DEPENDENCY_UNAVAILABLE',
    }),
    headers: { 'retry-after': Type.Integer({ minimum: 0, description: 'Seconds to wait before retrying' }) },
  }
}

const integerHeader = (description: string) => Type.Integer({ minimum: 0, description })

/** Sent on every answer of a write operation while the limit is on (RATE_LIMIT_MAX > 0). */
export const rateLimitHeaders = {
  'x-ratelimit-limit': integerHeader(
    'Requests allowed per window to this operation from this client (RATE_LIMIT_MAX for writes, RATE_LIMIT_READ_MAX for reads; sent while it is above 0, the default)',
  ),
  'x-ratelimit-remaining': integerHeader('Requests left in the current window'),
  'x-ratelimit-reset': integerHeader('Seconds until the window resets'),
}

/** The client used up its writes for this window: nothing was done. */
export function tooManyWrites(instance: string) {
  return {
    ...problemResponse(
      'This client sent more than RATE_LIMIT_MAX writes to this operation in the window ' +
        '(120 a minute by default, shared by every replica); nothing was written',
      {
        status: 429,
        detail: 'Too many writes from this client; retry in 42 seconds',
        instance,
        code: 'RATE_LIMITED',
      },
    ),
    headers: { ...rateLimitHeaders, 'retry-after': integerHeader('Seconds to wait before writing again') },
  }
}

/** The client used up its reads of this operation for this window. */
export function tooManyReads(instance: string) {
  return {
    ...problemResponse(
      'This client sent more than RATE_LIMIT_READ_MAX requests to this operation in the window ' +
        '(600 a minute by default, shared by every replica)',
      {
        status: 429,
        detail: 'Too many requests from this client; retry in 42 seconds',
        instance,
        code: 'RATE_LIMITED',
      },
    ),
    headers: { ...rateLimitHeaders, 'retry-after': integerHeader('Seconds to wait before asking again') },
  }
}

/**
 * Fastify parses the body of every POST before the handler runs, so even a
 * route that takes no body answers these to a body it cannot read.
 */
export function bodyErrors(instance: string, bad: string) {
  return {
    400: problemResponse(bad, {
      status: 400,
      detail: "Body is not valid JSON but content-type is set to 'application/json'",
      instance,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    }),
    413: problemResponse('The body is larger than BODY_LIMIT_BYTES', {
      status: 413,
      detail: 'Request body is too large',
      instance,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    }),
    415: problemResponse('The request is not `application/json` (every write must be, body or not)', {
      status: 415,
      detail: 'Unsupported Media Type',
      instance,
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    }),
  }
}
