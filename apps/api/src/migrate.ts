import { readSettings, settings } from '@app/config'
import { runMigrations } from '@app/db'
import pg from 'pg'
import { orExit } from './read-config-or-exit.ts'

/** One-shot: applies pending migrations and exits 0 (Compose's `migrate` service). */
// Only what it uses: the job is not made to set Redis or the server's secrets.
const { database } = orExit(() => readSettings({ env: settings.env, database: settings.database }))
if (database.url === undefined) {
  console.error('DATABASE_URL is not set')
  process.exit(1)
}
const pool = new pg.Pool({ connectionString: database.url, max: 1, application_name: 'migrate' })
try {
  await runMigrations(pool)
  console.log('migrations applied')
} catch (error) {
  console.error(error)
  process.exitCode = 1
} finally {
  await pool.end()
}
