import createClient, { type Client, type ClientOptions } from 'openapi-fetch'
import type { components, paths } from './schema.ts'

export type { components, operations, paths } from './schema.ts'

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
