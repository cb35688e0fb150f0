import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { problemResponse } from '../schemas/problem.ts'
import { ref } from '../schemas/ref.ts'

export const VisitCount = Type.Object(
  { count: Type.Integer({ minimum: 0, description: 'Page views so far' }) },
  { $id: 'VisitCount', examples: [{ count: 42 }] },
)

export const visitSchemas = [VisitCount]

const VISITS = 'visits'

const responses = {
  200: ref(VisitCount),
  503: problemResponse('The counter store (Redis) is unavailable'),
}

/** A page-view counter: one atomic INCR in Redis, never cached. */
const visits: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/visits',
    {
      schema: {
        tags: ['visits'],
        operationId: 'recordVisit',
        summary: 'Count one page view and return the new total',
        response: responses,
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
        response: responses,
      },
    },
    async () => ({ count: await app.cache.readCounter(VISITS) }),
  )
}

export default visits
