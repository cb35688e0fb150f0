import { jsonEtag } from '@app/cache'
import type { Config } from '@app/config'
import {
  createMessageWriter,
  decodeCursor,
  getMessage,
  listMessages,
  MESSAGE_MAX_LENGTH,
  type Message as MessageRow,
} from '@app/db'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type, { type Static } from 'typebox'
import { ConditionalHeaders, cachedJsonHeaders, notModified, sendCachedJson } from '../conditional.ts'
import { limitedWrite } from '../plugins/rate-limit.ts'
import { HttpProblem } from '../problems.ts'
import { jsonResponse, serializeOk } from '../schemas/json-response.ts'
import {
  bodyErrors,
  dependencyUnavailable,
  internalError,
  problemResponse,
  rateLimitHeaders,
  tooManyWrites,
} from '../schemas/problem.ts'
import { ref } from '../schemas/ref.ts'

export const Message = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    content: Type.String({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH }),
    createdAt: Type.String({ format: 'date-time', description: 'When the server stored it (UTC)' }),
  },
  { $id: 'Message', examples: [{ id: 1, content: 'Hello, board', createdAt: '2026-11-23T12:00:00.000Z' }] },
)

export const NewMessage = Type.Object(
  {
    content: Type.String({
      minLength: 1,
      maxLength: MESSAGE_MAX_LENGTH,
      // Postgres text cannot hold NUL, and a lone UTF-16 surrogate would be
      // stored as U+FFFD: reject both here rather than fail or alter the text.
      // Surrogate pairs are spelled out so the pattern means the same with or
      // without a regex engine's Unicode mode.
      pattern: '^(?:[^\\u0000\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$',
      description: `1 to ${MESSAGE_MAX_LENGTH} characters of well-formed Unicode, without NUL`,
    }),
  },
  { $id: 'NewMessage', additionalProperties: false, examples: [{ content: 'Hello, board' }] },
)

export const MessagePage = Type.Object(
  {
    items: Type.Array(ref(Message), { description: 'Newest first' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` to get the next (older) page; null on the last page',
    }),
  },
  {
    $id: 'MessagePage',
    examples: [
      {
        items: [{ id: 2, content: 'Second', createdAt: '2026-11-23T12:01:00.000Z' }],
        nextCursor: 'MTc5NTQzNTI2MDAwMC4y',
      },
    ],
  },
)

export const messageSchemas = [Message, NewMessage, MessagePage]

const DEFAULT_PAGE_SIZE = 20

const ListQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 100,
      default: DEFAULT_PAGE_SIZE,
      description: 'Page size',
      examples: [20],
    }),
  ),
  cursor: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      description: '`nextCursor` of the previous page; opaque',
      examples: ['MTc5NTQzNTI2MDAwMC4y'],
    }),
  ),
})

const MessageParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2_147_483_647, examples: [1] }),
})

const pageHeaders = cachedJsonHeaders('page')

function toMessage(row: MessageRow): Static<typeof Message> {
  return { id: row.id, content: row.content, createdAt: row.createdAt.toISOString() }
}

const notFound = problemResponse('No message has this id', {
  status: 404,
  detail: 'message 42 does not exist',
  instance: '/api/messages/42',
  code: 'MESSAGE_NOT_FOUND',
})

/** The message board: rows in Postgres, list pages cached aside in Redis and in process. */
const messages: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  const listCache = app.cache.group('messages')
  const writeMessage = createMessageWriter(app.db, { maxBatch: config.database.insertBatchMax })

  app.post(
    '/messages',
    {
      config: limitedWrite,
      schema: {
        tags: ['messages'],
        operationId: 'createMessage',
        summary: 'Post a message',
        description:
          'Stores the message in Postgres and drops every cached page of the list, so the next ' +
          'read through any replica shows it. Concurrent posts are committed together in one ' +
          'transaction; each gets its own row, and the answer comes only once it is committed. ' +
          'If Redis is away the write still succeeds.',
        body: ref(NewMessage),
        response: {
          201: jsonResponse('The stored message', Message, {
            location: Type.String({ format: 'uri-reference', description: 'The URL of the new message' }),
            ...rateLimitHeaders,
          }),
          ...bodyErrors('/api/messages', 'The body is not valid JSON, or `content` breaks the schema'),
          429: tooManyWrites('/api/messages'),
          500: internalError('/api/messages'),
          503: dependencyUnavailable('Postgres is unavailable', '/api/messages'),
        },
      },
    },
    async (request, reply) => {
      const message = await writeMessage(request.body.content)
      await listCache.invalidate()
      reply.code(201).header('location', `${request.routeOptions.url}/${message.id}`)
      return toMessage(message)
    },
  )

  app.get(
    '/messages',
    {
      schema: {
        tags: ['messages'],
        operationId: 'listMessages',
        summary: 'List messages, newest first, a page at a time',
        description:
          'Keyset pagination: pass `nextCursor` back as `cursor` until it is null. Pages never ' +
          'shift under concurrent writes. Pages are cached for MESSAGES_CACHE_TTL_SECONDS and ' +
          'dropped on every write. Send the ETag back as If-None-Match to get a 304 while the page ' +
          'is unchanged (answered from the cache, without Postgres).',
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
          500: internalError('/api/messages'),
          503: dependencyUnavailable('Postgres is unavailable', '/api/messages'),
        },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query
      const position = cursor === undefined ? undefined : decodeCursor(cursor)
      if (cursor !== undefined && position === undefined) {
        throw new HttpProblem(
          400,
          'INVALID_CURSOR',
          "querystring field 'cursor' is not a cursor from this API",
        )
      }
      // Serialized once, by this route's response schema; hits send the stored bytes as they are.
      const load = async () => {
        const { items, nextCursor } = await listMessages(app.db, { limit, cursor: position })
        return serializeOk(reply, { items: items.map(toMessage), nextCursor })
      }
      const ttl = config.cache.messagesTtlSeconds
      const page =
        ttl === 0
          ? uncached(await load())
          : await listCache.getOrSetJson(`${limit}:${cursor ?? ''}`, ttl, load)
      return sendCachedJson(request, reply, page)
    },
  )

  app.get(
    '/messages/:id',
    {
      schema: {
        tags: ['messages'],
        operationId: 'getMessage',
        summary: 'Read one message',
        params: MessageParams,
        response: {
          200: jsonResponse('The message', Message),
          400: problemResponse('The id is not an integer from 1 to 2147483647, or not valid in a URL', {
            status: 400,
            detail: "params field 'id' must be integer",
            instance: '/api/messages/abc',
            code: 'VALIDATION_FAILED',
            errors: [{ in: 'params', field: 'id', message: 'must be integer' }],
          }),
          404: notFound,
          414: problemResponse('The id is longer than the router accepts (100 characters)'),
          500: internalError('/api/messages/42'),
          503: dependencyUnavailable('Postgres is unavailable', '/api/messages/42'),
        },
      },
    },
    async (request) => {
      const message = await getMessage(app.db, request.params.id)
      if (!message)
        throw new HttpProblem(404, 'MESSAGE_NOT_FOUND', `message ${request.params.id} does not exist`)
      return toMessage(message)
    },
  )
}

function uncached(json: string) {
  return { json, etag: jsonEtag(json), hit: false }
}

export default messages
