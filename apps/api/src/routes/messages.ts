import type { Config } from '@app/config'
import {
  createMessage,
  decodeCursor,
  getMessage,
  listMessages,
  MESSAGE_MAX_LENGTH,
  type Message as MessageRow,
} from '@app/db'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type, { type Static } from 'typebox'
import { HttpProblem } from '../problems.ts'
import { problemResponse } from '../schemas/problem.ts'
import { ref } from '../schemas/ref.ts'

export const Message = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    content: Type.String({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH }),
    createdAt: Type.String({ format: 'date-time' }),
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
  { $id: 'MessagePage' },
)

export const messageSchemas = [Message, NewMessage, MessagePage]

const DEFAULT_PAGE_SIZE = 20

const ListQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE, description: 'Page size' }),
  ),
  cursor: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: '`nextCursor` of the previous page' }),
  ),
})

const MessageParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) })

const CacheHeader = Type.Enum(['hit', 'miss'], {
  type: 'string',
  description: 'Whether the page came from the cache',
})

const unavailable = problemResponse('Postgres is unavailable')

function toMessage(row: MessageRow): Static<typeof Message> {
  return { id: row.id, content: row.content, createdAt: row.createdAt.toISOString() }
}

/** The message board: rows in Postgres, list pages cached aside in Redis. */
const messages: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  const listCache = app.cache.group('messages')
  const invalidateMessages = () => listCache.invalidate()

  app.post(
    '/messages',
    {
      schema: {
        tags: ['messages'],
        operationId: 'createMessage',
        summary: 'Post a message',
        body: ref(NewMessage),
        response: {
          201: {
            description: 'The stored message; `Location` is its URL',
            headers: { location: Type.String() },
            content: { 'application/json': { schema: ref(Message) } },
          },
          400: problemResponse('The body is not valid JSON or breaks the schema'),
          413: problemResponse('The body is larger than the limit'),
          415: problemResponse('The body is not application/json'),
          503: unavailable,
        },
      },
    },
    async (request, reply) => {
      const message = await createMessage(app.db, request.body.content)
      await invalidateMessages()
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
        querystring: ListQuery,
        response: {
          200: {
            description: 'One page of messages',
            headers: { 'x-cache': CacheHeader },
            content: { 'application/json': { schema: ref(MessagePage) } },
          },
          400: problemResponse('`limit` or `cursor` is invalid'),
          503: unavailable,
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
      const page = await listCache.getOrSet(
        `${limit}:${cursor ?? ''}`,
        config.cache.messagesTtlSeconds,
        async () => {
          const { items, nextCursor } = await listMessages(app.db, { limit, cursor: position })
          return { items: items.map(toMessage), nextCursor }
        },
      )
      reply.header('x-cache', page.hit ? 'hit' : 'miss')
      return page.value
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
          200: ref(Message),
          400: problemResponse('The id is not a positive integer'),
          404: problemResponse('No message has this id'),
          503: unavailable,
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

export default messages
