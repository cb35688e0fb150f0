import type { Config } from '@app/config'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { HttpProblem } from './errors.ts'

/**
 * Route config for what must answer even when the replica is overloaded
 * (probes, metrics): under-pressure lets a request through when the route's
 * pressure handler returns nothing.
 */
export const neverShed = { pressureHandler: () => undefined }

/**
 * @fastify/under-pressure: while the event loop lags, or memory is near the
 * container's limit, requests get a fast 503 problem (OVERLOADED, Retry-After)
 * instead of queueing behind work the replica cannot finish in time. Every
 * threshold is a setting; 0 turns it off.
 */
export default fp(
  async function loadShedding(app: FastifyInstance, { config }: { config: Config }) {
    const limits = config.loadShedding
    await app.register(underPressure, {
      maxEventLoopDelay: limits.maxEventLoopDelayMs,
      maxEventLoopUtilization: limits.maxEventLoopUtilization,
      maxHeapUsedBytes: limits.maxHeapUsedBytes,
      maxRssBytes: limits.maxRssBytes,
      sampleInterval: limits.sampleIntervalMs,
      pressureHandler: async (request, _reply, type, value) => {
        app.meters.loadShed.inc({ reason: type })
        request.log.warn({ pressure: type, value }, 'overloaded, request refused')
        throw new HttpProblem(503, 'OVERLOADED', 'The service is overloaded; retry shortly', {
          retryAfterSeconds: 1,
        })
      },
    })
  },
  { name: 'load-shedding', fastify: '5.x', dependencies: ['errors', 'metrics'] },
)
