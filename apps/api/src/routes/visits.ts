import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { limitedWrite } from '../plugins/rate-limit.ts'
import { jsonResponse } from '../schemas/json-response.ts'
import {
  bodyErrors,
  dependencyUnavailable,
  internalError,
  rateLimitHeaders,
  tooManyWrites,
} from '../schemas/problem.ts'

export const VisitCount = Type.Object(
  { count: Type.Integer({ minimum: 0, description: 'Page views so far' }) },
  { $id: 'VisitCount', examples: [{ count: 42 }] },
)

export const visitSchemas = [VisitCount]

const VISITS = 'visits'
const PATH = '/api/visits'

const counted = jsonResponse('The total after this visit', VisitCount, rateLimitHeaders)
const redisDown = dependencyUnavailable('The counter store (Redis) is unavailable', PATH)

/** A page-view counter: one atomic INCR in Redis, never cached. */
const visits: FastifyPluginAsyncTypebox = async (app) => {
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
          'total. Takes no body; a body that is sent must still be readable JSON.',
        response: {
          200: counted,
          ...bodyErrors(PATH, 'A body was sent that is not valid JSON'),
          429: tooManyWrites(PATH),
          500: internalError(PATH),
          503: redisDown,
        },
      },
    },
    async () => ({ count: await app.cache.increment(VISITS) }),
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
          500: internalError(PATH),
          503: redisDown,
        },
      },
    },
    async () => ({ count: await app.cache.readCounter(VISITS) }),
  )
}

export default visits
