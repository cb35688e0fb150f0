import { listMessages } from '@app/db'
import type { FastifyInstance } from 'fastify'
import { sendCachedJson, serializeOk } from '../../cached-reply.ts'
import { HttpProblem } from '../../plugins/errors.ts'
import { ConditionalHeaders, cachedJsonHeaders, notModified } from '../../schemas/conditional.ts'
import { DEFAULT_PAGE_SIZE, ListQuery, MessagePage } from '../../schemas/messages.ts'
import { dependencyUnavailable, internalError, problemResponse, tooManyReads } from '../../schemas/problem.ts'
import { jsonResponse } from '../../schemas/responses.ts'
import { type Board, pageKey, toMessage } from './board.ts'

const pageHeaders = cachedJsonHeaders('page')

const schema = {
  tags: ['messages'],
  operationId: 'listMessages',
  summary: 'List messages, newest first, a page at a time',
  description:
    'Keyset pagination: pass `nextCursor` back as `cursor` until it is null. Pages never shift under ' +
    'concurrent writes. Cursors are signed: only one this API issued is accepted. Pages are cached for MESSAGES_CACHE_TTL_SECONDS and dropped on every write; the writer leaves the new first page (default size) behind. ' +
    'Send the ETag back as If-None-Match to get a 304 while the page is unchanged (answered from the ' +
    'cache, without Postgres).',
  querystring: ListQuery,
  headers: ConditionalHeaders,
  response: {
    200: jsonResponse('One page of messages', MessagePage, pageHeaders),
    304: notModified('The page is unchanged since the ETag sent in If-None-Match', pageHeaders),
    400: problemResponse('`limit` is not an integer from 1 to 100, or `cursor` is not one we issued', {
      status: 400,
      detail: "querystring field 'cursor' is not a cursor from this API",
      instance: '/api/messages',
      code: 'INVALID_CURSOR',
    }),
    429: tooManyReads('/api/messages'),
    500: internalError('/api/messages'),
    503: dependencyUnavailable('Postgres is unavailable', '/api/messages'),
  },
}

/** GET /api/messages: pages cached aside, sent as the stored bytes with an ETag. */
export function listMessagesRoute(app: FastifyInstance, { config, listCache, cursors }: Board) {
  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/messages',
    { schema },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query
      const position = cursor === undefined ? undefined : cursors.decode(cursor)
      if (cursor !== undefined && position === undefined) {
        throw new HttpProblem(
          400,
          'INVALID_CURSOR',
          "querystring field 'cursor' is not a cursor from this API",
        )
      }
      // Serialized once, by this route's response schema; hits send the stored bytes as they are.
      const page = await listCache.getOrSetJson(
        pageKey(limit, cursor),
        config.cache.messagesTtlSeconds,
        async () => {
          const { items, next } = await listMessages(app.db, { limit, cursor: position })
          const nextCursor = next === null ? null : cursors.encode(next)
          return serializeOk(reply, { items: items.map(toMessage), nextCursor })
        },
      )
      return sendCachedJson(request, reply, page)
    },
  )
}
