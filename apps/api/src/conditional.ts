import type { CachedJson } from '@app/cache'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'

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

export const ETagHeader = Type.String({
  description: 'Entity tag of this body: send it back as `If-None-Match` to get a 304 while it is current',
  examples: ['"pGm3fQx0f2k7c1u9aZ4Q1w"'],
})

export const ConditionalHeaders = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({ description: 'ETags the client holds: 304 with no body when one is current' }),
  ),
})

/** A documented 304: the same validators as the 200 and no body (`type: 'null'` means no content). */
export function notModified(description: string, headers: Record<string, unknown>) {
  return { type: 'null', description, headers } as const
}

/** What a cached JSON answer, 200 or 304, carries; `what` names the document. */
export function cachedJsonHeaders(what: string) {
  return {
    etag: ETagHeader,
    'x-cache': Type.Enum(['hit', 'miss'], {
      type: 'string',
      description: `Whether the ${what} came from the cache`,
    }),
  }
}

/** The cached bytes as they are with their validators, or a 304 while the client's ETag is current. */
export function sendCachedJson(request: FastifyRequest, reply: FastifyReply, cached: CachedJson) {
  reply.header('etag', cached.etag).header('x-cache', cached.hit ? 'hit' : 'miss')
  if (isNotModified(request.headers['if-none-match'], cached.etag)) return reply.code(304).send(null)
  return reply.type('application/json; charset=utf-8').send(cached.json)
}
