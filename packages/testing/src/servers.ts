import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { PostgreSqlContainer } from '@testcontainers/postgresql'
import { RedisContainer } from '@testcontainers/redis'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { Teardown } from './teardown.ts'

/** A database and a Redis key prefix that nothing else uses. */
export interface DataStores {
  databaseUrl: string
  redisUrl: string
  /** Every key the code under test writes goes under it. */
  keyPrefix: string
}

export interface TestServers {
  /** A fresh, empty database of `t`'s own. */
  database(t: Teardown): Promise<string>
  /** The Redis URL and a key prefix of `t`'s own. */
  redis(t: Teardown): Promise<{ url: string; prefix: string }>
  /** Both: what one test (or one replica set of the app) needs. */
  dataStores(t: Teardown): Promise<DataStores>
}

/**
 * The PostgreSQL and Redis servers tests run on: DATABASE_URL's and
 * REDIS_URL's when set, else containers (POSTGRES_IMAGE, REDIS_IMAGE),
 * started on first use and stopped at `lifetime`'s teardown (a test file's
 * root). Each test then gets stores of its own on them, so tests neither
 * share state nor depend on the order they run in. The stores are removed at
 * `lifetime`'s teardown too: by then every pool a test opened on them is
 * closed, or closing (see dropDatabase).
 */
export function testServers(lifetime: Teardown): TestServers {
  // Stores first, then the servers they live on.
  const removals: (() => Promise<unknown>)[] = []
  const stops: (() => Promise<unknown>)[] = []
  lifetime.teardown(async () => {
    await Promise.all(removals.map((remove) => remove()))
    await Promise.all(stops.map((stop) => stop()))
  })
  const postgres = once(async () => {
    if (process.env.DATABASE_URL) return process.env.DATABASE_URL
    const container = await new PostgreSqlContainer(
      process.env.POSTGRES_IMAGE ?? 'postgres:17-bookworm',
    ).start()
    stops.push(() => container.stop())
    return container.getConnectionUri()
  })
  const redis = once(async () => {
    if (process.env.REDIS_URL) return process.env.REDIS_URL
    const container = await new RedisContainer(process.env.REDIS_IMAGE ?? 'redis:7-bookworm').start()
    stops.push(() => container.stop())
    return container.getConnectionUrl()
  })

  const servers: TestServers = {
    async database() {
      const server = await postgres()
      const name = `test_${randomBytes(6).toString('hex')}`
      await asAdmin(server, (admin) => admin.query(`create database ${name}`))
      removals.push(() => asAdmin(server, (admin) => dropDatabase(admin, name)))
      const url = new URL(server)
      url.pathname = `/${name}`
      return url.toString()
    },
    async redis() {
      const url = await redis()
      const prefix = `test-${randomBytes(6).toString('hex')}`
      removals.push(() => deleteKeys(url, prefix))
      return { url, prefix }
    },
    async dataStores(t) {
      const [databaseUrl, namespace] = await Promise.all([servers.database(t), servers.redis(t)])
      return { databaseUrl, redisUrl: namespace.url, keyPrefix: namespace.prefix }
    },
  }
  return servers
}

function once<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined
  return () => {
    started ??= start()
    return started
  }
}

/**
 * pg-pool's end() resolves once it has asked its connections to close, not
 * once they have: a database dropped at once, `with (force)`, terminates the
 * sessions still closing, and their clients throw "terminating connection
 * due to administrator command" into the test's teardown. So the drop waits
 * for the database's sessions to end, up to DROP_WAIT_MS, then forces out
 * any left (a test that leaked a pool).
 */
const DROP_WAIT_MS = 2000

async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  const deadline = Date.now() + DROP_WAIT_MS
  const sessions = async () =>
    (await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name])).rows[0]
      .n as number
  while ((await sessions()) > 0 && Date.now() < deadline) await sleep(20)
  await admin.query(`drop database if exists ${name} with (force)`)
}

async function asAdmin(url: string, run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await run(client)
  } finally {
    await client.end()
  }
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url)
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]))
    }
  } finally {
    redis.disconnect()
  }
}
