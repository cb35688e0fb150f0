import type { Cache } from '@app/cache'
import type { Config } from '@app/config'
import fastifyRateLimit, {
  type FastifyRateLimitStore,
  type FastifyRateLimitStoreCtor,
} from '@fastify/rate-limit'
import type { FastifyInstance, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { HttpProblem } from '../problems.ts'

/**
 * Route config that puts a route under the write limit. Reads are not limited:
 * they are served from the cache, and a limit there would only cap the cheap path.
 */
export const limitedWrite = { rateLimit: {} }

/**
 * RATE_LIMIT_MAX writes per client address (X-Forwarded-For from TRUST_PROXY
 * only) per operation per window, counted through the app's cache: in Redis,
 * so replicas share one budget, or in process under `pnpm dev`.
 */
export default fp(
  async function rateLimit(app: FastifyInstance, { config }: { config: Config }) {
    const { max, windowMs } = config.rateLimit
    if (max === 0) return
    await app.register(fastifyRateLimit, {
      global: false,
      max,
      timeWindow: windowMs,
      store: windowStore(app.cache),
      // Cache away: let writes through rather than refuse them all. The cache
      // plugin already logs the outage.
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        new HttpProblem(429, 'RATE_LIMITED', `Too many writes from this client; retry in ${context.after}`),
    })
  },
  { name: 'rate-limit', dependencies: ['cache'] },
)

/**
 * The plugin's store over `cache.countInWindow`: a burst from one client
 * (the case a limit is for) costs one Redis round trip per batch of
 * concurrent requests, not one script run per request as the plugin's own
 * Redis store does.
 */
function windowStore(cache: Cache): FastifyRateLimitStoreCtor {
  return class WindowStore implements FastifyRateLimitStore {
    readonly scope: string

    // The plugin constructs the store with its settings; only children get a scope.
    constructor(_settings?: unknown, scope = '') {
      this.scope = scope
    }

    incr(key: string, callback: IncrCallback, timeWindow: number) {
      cache.countInWindow(`rate-limit:${this.scope}${key}`, timeWindow).then(
        ({ count, resetMs }) => callback(null, { current: count, ttl: resetMs }),
        (error: Error) => callback(error),
      )
    }

    // One budget per operation. The plugin passes the route's merged limit
    // settings with the route under `routeInfo`, not what its types say.
    child(settings: unknown) {
      const { method, url } = (settings as { routeInfo: RouteOptions }).routeInfo
      return new WindowStore(undefined, `${String(method)}${url}:`)
    }
  }
}

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1]
