import type { Config } from '@app/config'
import { createDatabase, type Database, runMigrations } from '@app/db'
import fastifyPostgres from '@fastify/postgres'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
  }
}

/** One pg pool (from @fastify/postgres) shared by Drizzle and the health check. */
export default fp(
  async function db(app: FastifyInstance, { config }: { config: Config }) {
    const { url, poolMax, migrateOnStart } = config.database
    if (url === undefined) {
      throw new Error('DATABASE_URL is not set (`pnpm dev` starts an embedded PostgreSQL)')
    }
    await app.register(fastifyPostgres, {
      connectionString: url,
      max: poolMax,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'api',
    })
    // An idle connection the server dropped must not crash the process.
    // (pg attaches the whole client to the error: log the message only.)
    app.pg.pool.on('error', (error) =>
      app.log.warn({ reason: error.message }, 'idle postgres connection failed'),
    )
    if (migrateOnStart) await runMigrations(app.pg.pool)
    app.decorate('db', createDatabase(app.pg.pool))
  },
  { name: 'db' },
)
