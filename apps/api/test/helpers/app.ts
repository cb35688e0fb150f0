import type { Writable } from 'node:stream'
import { readConfig } from '@app/config'
import {
  type DataStores,
  startTcpProxy,
  type TcpProxy,
  type Teardown,
  testServers,
  waitUntil,
} from '@app/testing'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import tap from 'tap'
import { buildApp } from '../../src/app.ts'

// The servers live as long as the test file (tap's root test); each test
// gets a database and key prefix of its own on them.
const servers = testServers(tap)

/** Stores of this test's own; pass them to several buildTestApp calls for replicas that share them. */
export function useDataStores(t: Teardown): Promise<DataStores> {
  return servers.dataStores(t)
}

/** Every test app signs cursors with this key, as replicas of one deployment share theirs. */
export const TEST_CURSOR_SECRET = 'a test key for cursors, 32+ chars'

export interface TestAppOptions {
  /** Default: new stores of this test's own. */
  stores?: DataStores
  /** Overrides any variable. */
  env?: Record<string, string>
  /** Where the log goes (set LOG_LEVEL in `env` too). */
  logStream?: Writable
}

/** The real app on real Postgres and Redis, closed at `t`'s teardown. */
export async function buildTestApp(t: Teardown, options: TestAppOptions = {}): Promise<FastifyInstance> {
  const stores = options.stores ?? (await useDataStores(t))
  const config = readConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: stores.databaseUrl,
    REDIS_URL: stores.redisUrl,
    REDIS_KEY_PREFIX: stores.keyPrefix,
    CURSOR_SECRET: TEST_CURSOR_SECRET,
    // The limiter stays on the path, as in production, at a limit no test
    // reaches; rate-limit.test.ts sets small ones.
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_READ_MAX: '1000000',
    // A test process's heap (tap, every test's app) is no replica's:
    // load-shedding.test.ts sets thresholds of its own.
    LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0',
    LOAD_SHEDDING_MAX_EVENT_LOOP_UTILIZATION: '0',
    LOAD_SHEDDING_MAX_HEAP_USED_MB: '0',
    LOAD_SHEDDING_MAX_RSS_MB: '0',
    ...options.env,
  })
  const app = await buildApp(config, options.logStream ? { logStream: options.logStream } : {})
  t.teardown(() => app.close())
  return app
}

export interface Board {
  app: FastifyInstance
  stores: DataStores
  post(content: unknown): Promise<LightMyRequestResponse>
  list(query?: string): Promise<LightMyRequestResponse>
}

/** An empty board of one test's own: the app, its stores (for replicas) and its two commonest requests. */
export async function openBoard(t: Teardown): Promise<Board> {
  const stores = await useDataStores(t)
  const app = await buildTestApp(t, { stores })
  const post = (content: unknown) =>
    app.inject({ method: 'POST', url: '/api/messages', payload: { content } })
  const list = (query = '') => app.inject({ method: 'GET', url: `/api/messages${query}` })
  return { app, stores, post, list }
}

export interface FaultableApp {
  app: FastifyInstance
  stores: DataStores
  /** Cut to take Postgres or Redis away from the app, restore to bring it back. */
  postgres: TcpProxy
  redis: TcpProxy
}

/** The app reaching its own stores through TCP proxies a test can cut. */
export async function buildFaultableApp(
  t: Teardown,
  env: Record<string, string> = {},
): Promise<FaultableApp> {
  const stores = await useDataStores(t)
  const postgres = await startTcpProxy(t, stores.databaseUrl)
  const redis = await startTcpProxy(t, stores.redisUrl)
  const app = await buildTestApp(t, {
    stores: { ...stores, databaseUrl: postgres.url, redisUrl: redis.url },
    env: { HEALTH_CHECK_TIMEOUT_MS: '500', ...env },
  })
  return { app, stores, postgres, redis }
}

/** Polls readiness until it is 200: the clients reconnect on their own, with backoff. */
export async function untilReady(app: FastifyInstance, timeoutMs = 10_000): Promise<boolean> {
  return waitUntil(
    async () => (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200,
    { timeoutMs },
  )
}

export async function countMessages(app: FastifyInstance): Promise<number> {
  const { rows } = await app.pg.query<{ count: string }>('select count(*) from messages')
  return Number(rows[0]?.count)
}

/**
 * Counts the statements this app sends to Postgres whose SQL matches
 * `pattern`: a wrapper around the app's real pool, not a stand-in for it.
 */
export function countQueries(app: FastifyInstance, pattern: RegExp): { count: number } {
  const counter = { count: 0 }
  const pool = app.pg.pool
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown
  pool.query = ((...args: unknown[]) => {
    const [config] = args
    const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text
    if (text !== undefined && pattern.test(text)) counter.count++
    return query(...args)
  }) as typeof pool.query
  return counter
}
