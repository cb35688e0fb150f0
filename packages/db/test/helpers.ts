import { type TestServers, testServers } from '@app/testing'
import pg from 'pg'
import t, { type Test } from 'tap'
import { createDatabase, type Database, runMigrations } from '../src/index.ts'

let servers: TestServers | undefined

/** The test servers of this file (started once, stopped when the file ends). */
export function fileServers(): TestServers {
  servers ??= testServers(t)
  return servers
}

export interface MigratedDatabase {
  url: string
  pool: pg.Pool
  db: Database
}

/** A fresh database of `t`'s own, migrated, with a pool and Drizzle on it. */
export async function migratedDatabase(t: Test): Promise<MigratedDatabase> {
  const url = await fileServers().database(t)
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  t.teardown(() => pool.end())
  await runMigrations(pool)
  return { url, pool, db: createDatabase(pool) }
}
