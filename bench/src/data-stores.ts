import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { type DataStores, type Teardown, testServers } from '@app/testing'
import pg from 'pg'

const run = promisify(execFile)

/** Where the stores run, for the report (no credentials). */
export function describeServers(): string {
  const where = (url: string | undefined) => (url ? new URL(url).host : 'a container')
  return `PostgreSQL on ${where(process.env.DATABASE_URL)}, Redis on ${where(process.env.REDIS_URL)}`
}

/**
 * A database of its own on DATABASE_URL's server and a key prefix of its own on
 * REDIS_URL's (both removed afterwards), else throwaway containers: the same
 * helpers the tests use.
 */
export function useBenchStores(cleanup: Teardown): Promise<DataStores> {
  return testServers(cleanup).dataStores(cleanup)
}

/** Migrates the way production does (the one-shot migrator), then adds `count` messages. */
export async function migrateAndSeed(apiDir: string, stores: DataStores, count: number): Promise<void> {
  await run(process.execPath, ['dist/migrate.js'], {
    cwd: apiDir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: stores.databaseUrl,
      REDIS_URL: stores.redisUrl,
    },
  })
  const client = new pg.Client({ connectionString: stores.databaseUrl })
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
