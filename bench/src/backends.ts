import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { type Teardown, usePostgres, useRedis } from '@app/testing'
import pg from 'pg'

const run = promisify(execFile)

export interface Backends {
  databaseUrl: string
  redisUrl: string
  keyPrefix: string
  /** Where they run, for the report (no credentials). */
  description: string
}

/**
 * A database of its own on DATABASE_URL's server and a key prefix of its own on
 * REDIS_URL's (both removed afterwards), else throwaway containers: the same
 * helpers the tests use.
 */
export async function useBenchBackends(cleanup: Teardown): Promise<Backends> {
  const [databaseUrl, redis] = await Promise.all([usePostgres(cleanup), useRedis(cleanup)])
  const where = (url: string | undefined) => (url ? new URL(url).host : 'a container')
  return {
    databaseUrl,
    redisUrl: redis.url,
    keyPrefix: redis.prefix,
    description: `PostgreSQL on ${where(process.env.DATABASE_URL)}, Redis on ${where(process.env.REDIS_URL)}`,
  }
}

/** Migrates the way production does (the one-shot migrator), then adds `count` messages. */
export async function migrateAndSeed(apiDir: string, backends: Backends, count: number): Promise<void> {
  await run(process.execPath, ['dist/migrate.js'], {
    cwd: apiDir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: backends.databaseUrl,
      REDIS_URL: backends.redisUrl,
    },
  })
  const client = new pg.Client({ connectionString: backends.databaseUrl })
  await client.connect()
  try {
    await client.query(
      `insert into messages (content)
       select 'Seeded message number ' || n || ', long enough to look like a real one.'
       from generate_series(1, $1::int) as n`,
      [count],
    )
  } finally {
    await client.end()
  }
}
