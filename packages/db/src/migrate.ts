import { fileURLToPath } from 'node:url'
import type { Pool } from 'pg'
import { createDatabase } from './database.ts'
import { loadMigrator } from './drizzle.ts'

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations', import.meta.url))

// Any constant works as long as every replica uses the same one.
const MIGRATION_LOCK_KEY = 4_872_193_650

/**
 * Applies pending migrations. Replicas that start together queue on a
 * session-level advisory lock held on one connection, so exactly one applies
 * them and the others find nothing left to do.
 */
export async function runMigrations(pool: Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    try {
      await loadMigrator().migrate(createDatabase(client), { migrationsFolder: MIGRATIONS_FOLDER })
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
    }
  } finally {
    client.release()
  }
}
