import { performance } from 'node:perf_hooks'
import type { Config } from '@app/config'
import * as client from '@prometheus-io/client'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pkg from '../../package.json' with { type: 'json' }
import { defineMetrics, type Metrics } from '../metrics/definitions.ts'

const STATUS_CLASSES = ['', '1xx', '2xx', '3xx', '4xx', '5xx']
/** Not timed: probes and preflights, not requests a user waits for. */
const UNTIMED_METHODS = new Set(['HEAD', 'OPTIONS', 'TRACE', 'CONNECT'])

declare module 'fastify' {
  interface FastifyInstance {
    /** The metrics this app counts (metrics/definitions.ts), on its own registry. */
    meters: Metrics
    metricsRegistry: client.Registry
  }
}

/**
 * Prometheus metrics, on a registry of this app's own (tests build several
 * apps in one process). Every request is timed by route pattern (unknown
 * routes fold into one label) and status class; the process and Node metrics
 * are the client's defaults. Served by metrics/server.ts on METRICS_PORT,
 * never on the public port.
 */
export default fp(
  async function metrics(app: FastifyInstance, { config }: { config: Config }) {
    const registry = new client.Registry()
    let elu = performance.eventLoopUtilization()
    const defined = defineMetrics(registry, {
      pool: () =>
        app.hasDecorator('pg')
          ? { total: app.pg.pool.totalCount, idle: app.pg.pool.idleCount, waiting: app.pg.pool.waitingCount }
          : undefined,
      redisReady: () => (app.hasDecorator('redis') ? app.redis.status === 'ready' : undefined),
      cacheLocal: () => (app.hasDecorator('cache') ? app.cache.stats().local : { entries: 0, bytes: 0 }),
      eventLoopUtilization: () => {
        const now = performance.eventLoopUtilization()
        const since = performance.eventLoopUtilization(now, elu)
        elu = now
        return since.utilization
      },
    })
    defined.buildInfo.set({ version: pkg.version, commit: config.build.commit }, 1)
    app.decorate('meters', defined)
    app.decorate('metricsRegistry', registry)
    // Off, the meters still exist (the code counts into them) but nothing times requests or the process.
    if (!config.metrics.enabled) return

    client.collectDefaultMetrics({ register: registry })
    // One child per method, route pattern and status class, found by one Map
    // lookup: the client would otherwise hash a labels object per request.
    // Measured (bench, 10 rounds, metrics on against off): fastify-metrics'
    // hooks cost 19.5 % of cached reads and 15.9 % of visits, this 4.1 % and 3.0 %.
    const children = new Map<string, client.Histogram.Internal<'method' | 'route' | 'status_class'>>()
    const timed = (method: string, route: string, statusCode: number) => {
      const statusClass = STATUS_CLASSES[Math.floor(statusCode / 100)] ?? 'unknown'
      const key = `${method} ${statusClass} ${route}`
      let child = children.get(key)
      if (child === undefined) {
        child = defined.requestDuration.labels({ method, route, status_class: statusClass })
        children.set(key, child)
      }
      return child
    }
    // Default metrics whose names break Prometheus's conventions (promtool
    // check metrics): gauges named *_total, types in names. The ELU is ours.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
      'nodejs_eventloop_utilization_histogram',
      'nodejs_eventloop_utilization_summary',
    ]) {
      registry.removeSingleMetric(name)
    }
    // Callback hooks: on every request, an async hook's promise is a cost of its own.
    app.addHook('onRequest', (_request, _reply, done) => {
      defined.requestsInFlight.inc()
      done()
    })
    app.addHook('onResponse', (request, reply, done) => {
      defined.requestsInFlight.dec()
      // Routes by pattern, every unknown one folded into `unmatched`: bounded label values.
      if (!UNTIMED_METHODS.has(request.method)) {
        timed(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode).observe(
          reply.elapsedTime / 1000,
        )
      }
      done()
    })
  },
  { name: 'metrics', fastify: '5.x' },
)
