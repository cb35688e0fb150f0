import type { CachedJson } from '@app/cache'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * `If-None-Match` against the current entity tag (RFC 9110 §13.1.2): weak
 * comparison, and `*` matches any current representation.
 */
export function isNotModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  if (ifNoneMatch.trim() === '*') return true
  const opaque = etag.replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque)
}

/**
 * `value` as this route's compiled serializer (fast-json-stringify, from the
 * documented 200 schema) writes it: what Fastify would send, produced once so
 * the bytes can be cached and sent again as they are.
 */
export function serializeOk(reply: FastifyReply, value: unknown): string {
  const serialize = reply.getSerializationFunction('200', 'application/json')
  if (!serialize) throw new Error(`no 200 application/json schema on ${reply.request.routeOptions.url}`)
  return serialize(value as Record<string, unknown>)
}

/** The cached bytes as they are with their validators, or a 304 while the client's ETag is current. */
export function sendCachedJson(request: FastifyRequest, reply: FastifyReply, cached: CachedJson) {
  reply.header('etag', cached.etag).header('x-cache', cached.hit ? 'hit' : 'miss')
  if (isNotModified(request.headers['if-none-match'], cached.etag)) return reply.code(304).send(null)
  return reply.type('application/json; charset=utf-8').send(cached.json)
}
