import type { Cache } from '@app/cache'
import type { Config } from '@app/config'
import fastifyRateLimit, {
  type FastifyRateLimitStore,
  type FastifyRateLimitStoreCtor,
} from '@fastify/rate-limit'
import type { FastifyInstance, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { HttpProblem } from './errors.ts'

/** Which budget a route's requests count against; a route that says nothing is a read. */
export type LimitKind = 'read' | 'write' | 'none'

declare module 'fastify' {
  interface FastifyContextConfig {
    limit?: LimitKind
  }
}

/** Route config: the route counts against the write budget. */
export const limitedWrite = { limit: 'write' } as const
/** Route config: never limited (probes: an orchestrator must always get its answer). */
export const notLimited = { limit: 'none' } as const

/**
 * Per client address (X-Forwarded-For from TRUST_PROXY only) and per route,
 * in fixed windows counted through the app's cache (in Redis, so replicas
 * share one budget; in process under `pnpm dev`): RATE_LIMIT_MAX writes and
 * RATE_LIMIT_READ_MAX reads. While the count cannot be taken (Redis away),
 * operations in RATE_LIMIT_FAIL_CLOSED get 503 and the rest are let through.
 */
export default fp(
  async function rateLimit(app: FastifyInstance, { config }: { config: Config }) {
    const { max, readMax, windowMs, failClosed } = config.rateLimit
    if (max === 0 && readMax === 0) return
    const budgets: Record<LimitKind, number> = { write: max, read: readMax, none: 0 }

    // Runs before the plugin's own onRoute hook: it turns each route's kind
    // into the plugin's route settings (or none, which leaves it unlimited).
    const known = new Set<string>()
    app.addHook('onRoute', (route) => {
      const operation = operationOf(route.schema)
      known.add(operation)
      const budget = budgets[route.config?.limit ?? 'read']
      const rateLimit = budget === 0 ? false : { max: budget, skipOnError: !failClosed.includes(operation) }
      route.config = { ...route.config, rateLimit }
    })
    app.addHook('onReady', async () => {
      const unknown = failClosed.filter((operation) => !known.has(operation))
      if (unknown.length > 0)
        throw new Error(`RATE_LIMIT_FAIL_CLOSED names no operation of this API: ${unknown.join(', ')}`)
    })

    await app.register(fastifyRateLimit, {
      global: false,
      timeWindow: windowMs,
      store: windowStore(app.cache),
      onExceeded: (request) =>
        app.meters.rateLimited.inc({ operation: operationOf(request.routeOptions.schema) }),
      errorResponseBuilder: (request, context) => {
        const what = request.routeOptions.config.limit === 'write' ? 'writes' : 'requests'
        return new HttpProblem(
          429,
          'RATE_LIMITED',
          `Too many ${what} from this client; retry in ${context.after}`,
        )
      },
    })
  },
  { name: 'rate-limit', fastify: '5.x', dependencies: ['cache', 'errors', 'metrics'] },
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

/** A route's operationId: a label of bounded cardinality. */
export function operationOf(schema: unknown): string {
  const id = (schema as { operationId?: unknown } | undefined)?.operationId
  return typeof id === 'string' ? id : 'other'
}
