import { readConfig } from '@app/config'
import { startTcpProxy, type TcpProxy, type Teardown, usePostgres, useRedis } from '@app/testing'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'

export interface Backends {
  databaseUrl: string
  redisUrl: string
  keyPrefix: string
}

/** A database and a Redis namespace of this test file's own. */
export async function useBackends(t: Teardown): Promise<Backends> {
  const [databaseUrl, redis] = await Promise.all([usePostgres(t), useRedis(t)])
  return { databaseUrl, redisUrl: redis.url, keyPrefix: redis.prefix }
}

/** The real app on real backends; `env` overrides any variable. */
export async function buildTestApp(
  t: Teardown,
  backends: Backends,
  env: Record<string, string> = {},
): Promise<FastifyInstance> {
  const config = readConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: backends.databaseUrl,
    REDIS_URL: backends.redisUrl,
    REDIS_KEY_PREFIX: backends.keyPrefix,
    // The limiter stays on the path, as in production, at a limit no test
    // reaches; rate-limit.test.ts sets small ones.
    RATE_LIMIT_MAX: '1000000',
    ...env,
  })
  const app = await buildApp(config)
  t.teardown(() => app.close())
  return app
}

export interface FaultableApp {
  app: FastifyInstance
  backends: Backends
  /** Cut to take Postgres or Redis away from the app, restore to bring it back. */
  postgres: TcpProxy
  redis: TcpProxy
}

/** The app reaching its own backends through TCP proxies a test can cut. */
export async function buildFaultableApp(t: Teardown): Promise<FaultableApp> {
  const backends = await useBackends(t)
  const postgres = await startTcpProxy(t, backends.databaseUrl)
  const redis = await startTcpProxy(t, backends.redisUrl)
  const app = await buildTestApp(
    t,
    { ...backends, databaseUrl: postgres.url, redisUrl: redis.url },
    { HEALTH_CHECK_TIMEOUT_MS: '500' },
  )
  return { app, backends, postgres, redis }
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
