import { findIdempotentResult, isIdempotencyKeyConflict, type WrittenMessage } from '@app/db'
import type { FastifyInstance, FastifyReply } from 'fastify'
import Type from 'typebox'
import {
  keyInFlightProblem,
  keyReusedProblem,
  readIdempotencyKey,
  requestFingerprint,
} from '../../idempotency.ts'
import { limitedWrite } from '../../plugins/rate-limit.ts'
import { IdempotencyHeaders, keyInFlight, keyReused, replayedHeader } from '../../schemas/idempotency.ts'
import { Message, NewMessage } from '../../schemas/messages.ts'
import {
  bodyErrors,
  dependencyUnavailable,
  internalError,
  rateLimitHeaders,
  tooManyWrites,
} from '../../schemas/problem.ts'
import { ref } from '../../schemas/ref.ts'
import { jsonResponse } from '../../schemas/responses.ts'
import { type Board, toMessage } from './board.ts'

const PATH = '/api/messages'

const schema = {
  tags: ['messages'],
  operationId: 'createMessage',
  summary: 'Post a message',
  description:
    'Stores the message in Postgres and drops every cached page of the list, leaving the new first ' +
    'page behind, so the next read through any replica shows it. Concurrent posts are committed together in one transaction; each ' +
    'gets its own row, and the answer comes only once it is committed. If Redis is away the write ' +
    'still succeeds. With an Idempotency-Key, a retry gets the first answer and writes nothing: ' +
    'the key is stored in the transaction that stores the message.',
  headers: IdempotencyHeaders,
  body: ref(NewMessage),
  response: {
    201: jsonResponse(
      'The stored message (or, on a retry with its Idempotency-Key, the stored answer)',
      Message,
      {
        location: Type.String({ format: 'uri-reference', description: 'The URL of the new message' }),
        ...rateLimitHeaders,
        ...replayedHeader,
      },
    ),
    ...bodyErrors(
      PATH,
      'The body is not valid JSON, `content` breaks the schema, or the Idempotency-Key is not a quoted string',
    ),
    409: keyInFlight(PATH),
    422: keyReused(PATH),
    429: tooManyWrites(PATH),
    500: internalError(PATH),
    503: dependencyUnavailable('Postgres is unavailable', PATH),
  },
}

/** POST /api/messages, idempotent with an Idempotency-Key. */
export function createMessageRoute(app: FastifyInstance, { config, publishFirstPage, writeMessage }: Board) {
  const retentionMs = config.idempotency.retentionMs

  const answer = (reply: FastifyReply, message: WrittenMessage['message'], replayed: boolean) => {
    reply.code(201).header('location', `${PATH}/${message.id}`)
    if (replayed) reply.header('idempotent-replayed', 'true')
    return toMessage(message)
  }

  /** The stored answer to an earlier request with this key, or undefined if there was none. */
  const replay = async (reply: FastifyReply, client: string, key: string, fingerprint: string) => {
    const earlier = await findIdempotentResult(app.db, { client, key, retentionMs })
    if (!earlier) return undefined
    if (earlier.fingerprint !== fingerprint) throw keyReusedProblem()
    // The first attempt may have committed and died before updating the cache:
    // this answer is an acknowledgement too, so every replica must list it.
    await publishFirstPage(undefined)
    app.meters.idempotentReplays.inc({ operation: 'createMessage' })
    return answer(reply, earlier.message, true)
  }

  app.post<{ Body: { content: string }; Headers: { 'idempotency-key'?: string } }>(
    '/messages',
    { config: limitedWrite, schema },
    async (request, reply) => {
      const { content } = request.body
      const key = readIdempotencyKey(request.headers['idempotency-key'])
      if (key === undefined)
        return answer(reply, (await written(await writeMessage({ content }))).message, false)

      const client = request.ip
      const fingerprint = requestFingerprint('createMessage', request.body)
      const stored = await replay(reply, client, key, fingerprint)
      if (stored) return stored
      // Another request with this key is being written (here or on another replica).
      // If Redis is away, Postgres's unique key on (client, key) still stops a second write.
      const claim = `messages:${client}:${key}`
      const claimed = await app.cache.claim(claim, config.idempotency.inFlightMs).catch(() => true)
      if (!claimed) throw keyInFlightProblem()
      try {
        const result = await writeMessage({ content, idempotency: { client, key, fingerprint } })
        return answer(reply, (await written(result)).message, false)
      } catch (error) {
        if (!isIdempotencyKeyConflict(error)) throw error
        return (await replay(reply, client, key, fingerprint)) ?? Promise.reject(error)
      } finally {
        await app.cache.release(claim).catch(() => {})
      }
    },
  )

  /** After the commit: the new first page in the cache, so every replica's next read has the message and hits. */
  async function written(result: WrittenMessage): Promise<WrittenMessage> {
    await publishFirstPage(result.revision)
    return result
  }
}
