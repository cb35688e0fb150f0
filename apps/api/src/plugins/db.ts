import type { Config } from '@app/config'
import { createDatabase, type Database, runMigrations } from '@app/db'
import fastifyPostgres from '@fastify/postgres'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pg from 'pg'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
  }
}

/**
 * One pg pool (from @fastify/postgres) shared by Drizzle and the health check,
 * bounded in time everywhere: waiting for a connection (connectTimeoutMs),
 * each statement (server-side statement_timeout, and a client-side limit
 * 500 ms later for a server that does not answer at all), lock waits and
 * sessions left idle in a transaction.
 */
export default fp(
  async function db(app: FastifyInstance, { config }: { config: Config }) {
    const { url, poolMax, migrateOnStart, connectTimeoutMs, statementTimeoutMs, transactionPooler } =
      config.database
    if (url === undefined) {
      throw new Error('DATABASE_URL is not set (`pnpm dev` starts an embedded PostgreSQL)')
    }
    if (migrateOnStart) await migrate(url, connectTimeoutMs)
    await app.register(fastifyPostgres, {
      connectionString: url,
      max: poolMax,
      connectionTimeoutMillis: connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      query_timeout: statementTimeoutMs + 500,
      keepAlive: true,
      // A transaction pooler hands each transaction another server session: a
      // statement named on one is unknown on the next, and session settings
      // leak to other clients (or are refused). There the role carries the timeouts.
      ...(transactionPooler
        ? { Client: UnnamedStatementsClient }
        : { options: sessionTimeouts(config.database), application_name: 'api' }),
    })
    // An idle connection the server dropped must not crash the process.
    // (pg attaches the whole client to the error: log the message only.)
    app.pg.pool.on('error', (error) =>
      app.log.warn({ reason: error.message }, 'idle postgres connection failed'),
    )
    timeStatements(app.pg.pool, (seconds, outcome) =>
      app.meters.dbQueryDuration.observe({ outcome }, seconds),
    )
    app.decorate('db', createDatabase(app.pg.pool))
  },
  { name: 'db', fastify: '5.x', dependencies: ['metrics'] },
)

/** A pg client that parses every statement anew: what a transaction pooler needs. */
class UnnamedStatementsClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [config] = args
    if (config !== null && typeof config === 'object' && 'name' in config) {
      args[0] = { ...config, name: undefined }
    }
    return (super.query as (...args: unknown[]) => never)(...args)
  }
}

/** Times every promise-style statement of the pool (Drizzle's and the writer's alike). */
function timeStatements(pool: pg.Pool, observe: (seconds: number, outcome: 'ok' | 'error') => void) {
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown
  pool.query = ((...args: unknown[]) => {
    if (typeof args.at(-1) === 'function') return query(...args)
    const started = performance.now()
    const elapsed = () => (performance.now() - started) / 1000
    return (query(...args) as Promise<unknown>).then(
      (result) => {
        observe(elapsed(), 'ok')
        return result
      },
      (error: unknown) => {
        observe(elapsed(), 'error')
        throw error
      },
    )
  }) as typeof pool.query
}

function sessionTimeouts(database: Config['database']): string {
  return [
    `statement_timeout=${database.statementTimeoutMs}`,
    `lock_timeout=${database.lockTimeoutMs}`,
    `idle_in_transaction_session_timeout=${database.idleInTransactionTimeoutMs}`,
  ]
    .map((setting) => `-c ${setting}`)
    .join(' ')
}

/** On a connection of its own, without the request timeouts: a migration may take its time. */
async function migrate(url: string, connectTimeoutMs: number): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: connectTimeoutMs })
  try {
    await runMigrations(pool)
  } finally {
    await pool.end()
  }
}
