import type { Config } from '@app/config'
import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { HttpProblem } from '../problems.ts'

/**
 * Route config that puts a route under the write limit. Reads are not limited:
 * they are served from the cache, and a limit there would only cap the cheap path.
 */
export const limitedWrite = { rateLimit: {} }

/**
 * RATE_LIMIT_MAX writes per client address (X-Forwarded-For from TRUST_PROXY
 * only) per operation per window. Counted in Redis when it is configured, so
 * replicas share one budget; in process otherwise.
 */
export default fp(
  async function rateLimit(app: FastifyInstance, { config }: { config: Config }) {
    const { max, windowMs } = config.rateLimit
    if (max === 0) return
    await app.register(fastifyRateLimit, {
      global: false,
      max,
      timeWindow: windowMs,
      ...(config.redis.url !== undefined && {
        redis: app.redis,
        nameSpace: `${config.redis.keyPrefix}:rate-limit:`,
      }),
      // Redis away: let writes through rather than refuse them all. The cache
      // plugin already logs the outage.
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        new HttpProblem(429, 'RATE_LIMITED', `Too many writes from this client; retry in ${context.after}`),
    })
  },
  { name: 'rate-limit', dependencies: ['cache'] },
)
