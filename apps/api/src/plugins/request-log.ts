import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Every response carries its request's id (`x-request-id`, see ../request-id.ts).
 * One log line per request, when it is answered: method, route pattern (not
 * the URL, which may carry anything), status, duration. The request id is on
 * this line and every other line of the request, as pino's child logger binds
 * it. Headers are not logged; pino redacts authorization and cookie anyway.
 */
export default fp(
  async function requestLog(app: FastifyInstance) {
    // Every answer names its request, errors and shed requests included (this
    // hook runs before any other that can answer).
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id)
    })
    app.addHook('onResponse', async (request, reply) => {
      request.log.info(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request',
      )
    })
  },
  { name: 'request-log', fastify: '5.x' },
)
