import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { Pool, PoolClient } from 'pg'
import { nodePostgres } from './drizzle.ts'
import * as schema from './schema.ts'

export type Database = NodePgDatabase<typeof schema> & { $client: Pool | PoolClient }

/** Wraps an existing pg pool (the app's, from @fastify/postgres) in Drizzle. */
export function createDatabase(pool: Pool | PoolClient): Database {
  return nodePostgres.drizzle({ client: pool, schema })
}
