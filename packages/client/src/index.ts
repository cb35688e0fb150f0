import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch'
import type { components, paths } from './api.gen.ts'

export type { components, operations, paths } from './api.gen.ts'

type Schemas = components['schemas']
export type HealthCheck = Schemas['HealthCheck']
export type Liveness = Schemas['Liveness']
export type Message = Schemas['Message']
export type MessagePage = Schemas['MessagePage']
export type NewMessage = Schemas['NewMessage']
export type Problem = Schemas['Problem']
export type Readiness = Schemas['Readiness']
export type ReadinessProblem = Schemas['ReadinessProblem']
export type Status = Schemas['Status']
export type VisitCount = Schemas['VisitCount']

export type ApiClient = Client<paths>

/**
 * A client for the API at `baseUrl` (its origin, e.g. `http://localhost:3000`):
 * every path, parameter, body and response is typed from apps/api/openapi.json.
 * Calls resolve to `{ data, error, response }`; `error` is the problem+json body.
 */
export function createApiClient(baseUrl: string, options: Omit<ClientOptions, 'baseUrl'> = {}): ApiClient {
  return createClient<paths>({ ...options, baseUrl })
}

/**
 * A new `Idempotency-Key` value: a random UUID as the quoted Structured Field
 * string the header takes. Send the same one on every retry of one write:
 *
 *   const key = idempotencyKey()
 *   await api.POST('/api/messages', { body, params: { header: { 'idempotency-key': key } } })
 */
export function idempotencyKey(): string {
  return `"${globalThis.crypto.randomUUID()}"`
}

/**
 * Sends a moderator's token (the `adminToken` security scheme) on every call
 * of this client, as `Authorization: Bearer <token>`:
 *
 *   const moderator = createApiClient(url)
 *   moderator.use(bearerToken(token))
 *   await moderator.DELETE('/api/messages/{id}', { params: { path: { id } } })
 */
export function bearerToken(token: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${token}`)
      return request
    },
  }
}
