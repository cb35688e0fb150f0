import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** What an id from the proxy may look like: nginx's $request_id is 32 hex digits. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/

/**
 * The request's id: the proxy's `x-request-id` when it is well formed (so one
 * id follows a request through nginx and the api's logs), else a new UUID. An
 * id that could carry anything (newlines, markup, megabytes) is never logged.
 */
export function requestId(request: IncomingMessage): string {
  const sent = request.headers['x-request-id']
  return typeof sent === 'string' && WELL_FORMED.test(sent) ? sent : randomUUID()
}
