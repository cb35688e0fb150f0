import Type, { type TSchema } from 'typebox'
import { ref } from './ref.ts'

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
  { $id: 'Problem', description: 'RFC 9457 problem details' },
)

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** A documented error response whose body is `schema` as problem+json. */
export function problemResponse<T extends TSchema>(description: string, schema: T = Problem as unknown as T) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ref(schema) } } }
}
