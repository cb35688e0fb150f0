import type { Config } from '@app/config'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import { readIdempotencyKey } from '../idempotency.ts'
import { limitedWrite } from '../plugins/rate-limit.ts'
import { IdempotencyHeaders, replayedHeader } from '../schemas/idempotency.ts'
import {
  bodyErrors,
  dependencyUnavailable,
  internalError,
  rateLimitHeaders,
  tooManyReads,
  tooManyWrites,
} from '../schemas/problem.ts'
import { ref } from '../schemas/ref.ts'
import { jsonResponse } from '../schemas/responses.ts'
import { NewVisit, VisitCount } from '../schemas/visits.ts'

const VISITS = 'visits'
const PATH = '/api/visits'

const counted = jsonResponse(
  'The total after this visit (or, on a retry with its Idempotency-Key, the first answer)',
  VisitCount,
  {
    ...rateLimitHeaders,
    ...replayedHeader,
  },
)
const redisDown = dependencyUnavailable('The counter store (Redis) is unavailable', PATH)

/** A page-view counter: one atomic INCR in Redis, never cached. */
const visits: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  app.post(
    '/visits',
    {
      config: limitedWrite,
      schema: {
        tags: ['visits'],
        operationId: 'recordVisit',
        summary: 'Count one page view and return the new total',
        description:
          'One atomic increment shared by every replica: concurrent calls each get a distinct ' +
          'total. The body is `{}` as `application/json` (so that no page on another origin can ' +
          'count a visit through a browser without CORS allowing it). With an ' +
          'Idempotency-Key, a retry gets the first total and counts nothing: the key is recorded ' +
          'in the same Redis script that counts.',
        headers: IdempotencyHeaders,
        body: ref(NewVisit),
        response: {
          200: counted,
          ...bodyErrors(PATH, 'The body is not `{}`, or the Idempotency-Key is not a quoted string'),
          429: tooManyWrites(PATH),
          500: internalError(PATH),
          503: redisDown,
        },
      },
    },
    async (request, reply) => {
      const key = readIdempotencyKey(request.headers['idempotency-key'])
      if (key === undefined) return { count: await app.cache.increment(VISITS) }
      // The body can only be `{}`: no other request can reuse a visit's key, so
      // the record needs no fingerprint of it.
      const once = {
        key: `visits:${request.ip}:${key}`,
        tag: 'recordVisit',
        ttlMs: config.idempotency.retentionMs,
      }
      const result = await app.cache.incrementOnce(VISITS, once)
      if (!result.first) {
        app.meters.idempotentReplays.inc({ operation: 'recordVisit' })
        reply.header('idempotent-replayed', 'true')
      }
      return { count: result.value }
    },
  )

  app.get(
    '/visits',
    {
      schema: {
        tags: ['visits'],
        operationId: 'getVisits',
        summary: 'Read the page-view total without counting',
        response: {
          200: jsonResponse('The current total', VisitCount),
          429: tooManyReads(PATH),
          500: internalError(PATH),
          503: redisDown,
        },
      },
    },
    async () => ({ count: await app.cache.readCounter(VISITS) }),
  )
}

// Encapsulated (its own scope, so a prefix applies), and it says what it needs.
export default fp(visits, {
  name: 'routes/visits',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['cache', 'rate-limit'],
})
