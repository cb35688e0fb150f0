import { Counter, Gauge, Histogram, type Registry } from '@prometheus-io/client'

// Every metric the service defines, in one place: names, help, labels. The
// plugin (plugins/metrics.ts) makes them once per app on the app's own
// registry; the code that counts is handed them, and never makes one itself.
// The process and Node metrics are the client's defaults.

const REQUEST_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

export type CacheOutcome = 'hit_local' | 'hit_store' | 'miss' | 'bypass'

/** What some gauges read when Prometheus scrapes, rather than being set as things happen. */
export interface Samples {
  pool(): { total: number; idle: number; waiting: number } | undefined
  redisReady(): boolean | undefined
  cacheLocal(): { entries: number; bytes: number }
  eventLoopUtilization(): number
}

export function defineMetrics(registry: Registry, samples: Samples) {
  const registers = [registry]
  return {
    requestDuration: new Histogram({
      name: 'board_http_request_duration_seconds',
      help: 'HTTP requests, by method, route pattern and status class',
      labelNames: ['method', 'route', 'status_class'] as const,
      buckets: REQUEST_DURATION_BUCKETS,
      registers,
    }),
    requestsInFlight: new Gauge({
      name: 'board_http_requests_in_flight',
      help: 'HTTP requests being served',
      registers,
    }),
    cacheRequests: new Counter({
      name: 'board_cache_requests_total',
      help: 'Cache reads, by group and outcome (hit_local, hit_store, miss, bypass)',
      labelNames: ['group', 'outcome'] as const,
      registers,
    }),
    cacheUnstored: new Counter({
      name: 'board_cache_unstored_total',
      help: 'Entries served but not stored in Redis: their group had used CACHE_GROUP_MAX_BYTES',
      labelNames: ['group'] as const,
      registers,
    }),
    cacheLocalEntries: new Gauge({
      name: 'board_cache_local_entries',
      help: 'Entries in the in-process cache tier',
      registers,
      collect() {
        this.set(samples.cacheLocal().entries)
      },
    }),
    cacheLocalBytes: new Gauge({
      name: 'board_cache_local_bytes',
      help: 'Bytes held by the in-process cache tier',
      registers,
      collect() {
        this.set(samples.cacheLocal().bytes)
      },
    }),
    dbPoolConnections: new Gauge({
      name: 'board_db_pool_connections',
      help: 'Postgres pool: connections (total, idle) and requests waiting for one (waiting)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const pool = samples.pool()
        if (!pool) return
        for (const state of ['total', 'idle', 'waiting'] as const) this.set({ state }, pool[state])
      },
    }),
    dbQueryDuration: new Histogram({
      name: 'board_db_query_duration_seconds',
      help: 'Postgres statements, from sending to the answer',
      labelNames: ['outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    writeBatchSize: new Histogram({
      name: 'board_write_batch_size',
      help: 'Messages committed per INSERT (group commit)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    }),
    writeQueueDepth: new Gauge({
      name: 'board_write_queue_depth',
      help: 'Messages waiting for an INSERT',
      registers,
    }),
    redisUp: new Gauge({
      name: 'board_redis_up',
      help: 'Whether the Redis connection is ready (1) or not (0); absent without Redis',
      registers,
      collect() {
        const ready = samples.redisReady()
        if (ready !== undefined) this.set(ready ? 1 : 0)
      },
    }),
    redisErrors: new Counter({
      name: 'board_redis_errors_total',
      help: 'Redis operations that failed, by operation',
      labelNames: ['operation'] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: 'board_rate_limited_total',
      help: 'Requests refused by the rate limit (429), by operation',
      labelNames: ['operation'] as const,
      registers,
    }),
    loadShed: new Counter({
      name: 'board_load_shed_total',
      help: 'Requests refused to shed load (503 OVERLOADED), by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    idempotentReplays: new Counter({
      name: 'board_idempotent_replays_total',
      help: 'Writes answered with the stored answer of an earlier request with the same Idempotency-Key',
      labelNames: ['operation'] as const,
      registers,
    }),
    ready: new Gauge({
      name: 'board_ready',
      help: 'The last readiness check passed (1) or not (0)',
      registers,
    }),
    buildInfo: new Gauge({
      name: 'board_build_info',
      help: 'Always 1; the labels say which build runs',
      labelNames: ['version', 'commit'] as const,
      registers,
    }),
    eventLoopUtilization: new Gauge({
      name: 'board_event_loop_utilization',
      help: 'Share of the time since the last scrape the event loop was busy (0-1)',
      registers,
      collect() {
        this.set(samples.eventLoopUtilization())
      },
    }),
  }
}

export type Metrics = ReturnType<typeof defineMetrics>
