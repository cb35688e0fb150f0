import { ConfigError, readConfig } from '@app/config'
import { runMigrations } from '@app/db'
import pg from 'pg'

/** One-shot: applies pending migrations and exits 0 (Compose's `migrate` service). */
try {
  const { database } = readConfig()
  if (database.url === undefined) throw new Error('DATABASE_URL is not set')
  const pool = new pg.Pool({ connectionString: database.url, max: 1, application_name: 'migrate' })
  try {
    await runMigrations(pool)
    console.log('migrations applied')
  } finally {
    await pool.end()
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exitCode = 1
}
