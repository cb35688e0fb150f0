import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { Pool, PoolClient } from 'pg'
import * as schema from './schema.ts'

export type Database = NodePgDatabase<typeof schema>

/** Wraps an existing pg pool (the app's, from @fastify/postgres) in Drizzle. */
export function createDatabase(pool: Pool | PoolClient): Database {
  return drizzle({ client: pool, schema })
}
