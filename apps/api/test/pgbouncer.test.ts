import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMigrations } from '@app/db'
import { waitUntil } from '@app/testing'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import t, { type Test } from 'tap'
import { buildTestApp, useDataStores } from './helpers/app.ts'

// The service behind PgBouncer in transaction mode (Debian's 1.18, which has no
// protocol-level prepared statements): what breaks with the defaults, and
// that DATABASE_TRANSACTION_POOLER=true runs every operation with the server
// pool smaller than the app's. docs/scaling.md says what this means for sizing.
const PGBOUNCER = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer'
if (!existsSync(PGBOUNCER)) {
  if (process.env.CI) throw new Error(`no PgBouncer at ${PGBOUNCER}: .ci/run installs it with apt-get`)
  t.plan(0, `no PgBouncer at ${PGBOUNCER} (apt-get install pgbouncer)`)
  process.exit(0)
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** PgBouncer in transaction mode in front of `databaseUrl`'s server, two server connections per database. */
async function startPgbouncer(t: Test, databaseUrl: string): Promise<string> {
  const target = new URL(databaseUrl)
  const dir = await mkdtemp(join(tmpdir(), 'pgbouncer-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await chmod(dir, 0o755)
  const port = await freePort()
  const user = decodeURIComponent(target.username || 'postgres')
  // Clients are trusted here; the password is the one PgBouncer logs in to Postgres with.
  const password = decodeURIComponent(target.password)
  await writeFile(join(dir, 'users.txt'), `"${user}" "${password}"\n`)
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'default_pool_size = 2',
      'max_client_conn = 200',
      // pg sends `options` only for session settings; the pooler cannot keep those.
      'ignore_startup_parameters = options,extra_float_digits',
      '',
    ].join('\n'),
  )
  // PgBouncer refuses to run as root; -u drops to the database's OS user.
  const asRoot = process.getuid?.() === 0
  const child = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  t.teardown(() => {
    child.kill('SIGINT')
  })
  const url = new URL(databaseUrl)
  url.host = `127.0.0.1:${port}`
  const probe = async () => {
    const client = new pg.Client({ connectionString: url.toString() })
    try {
      await client.connect()
      await client.query('select 1')
      return true
    } catch {
      return false
    } finally {
      await client.end().catch(() => {})
    }
  }
  if (!(await waitUntil(probe, { timeoutMs: 10_000 }))) throw new Error(`PgBouncer did not start: ${stderr}`)
  return url.toString()
}

/** Migrated directly (advisory locks need a session), then an app reaching Postgres through the pooler. */
async function appBehindPgbouncer(t: Test, env: Record<string, string>, setup = (_pool: pg.Pool) => {}) {
  const stores = await useDataStores(t)
  const pool = new pg.Pool({ connectionString: stores.databaseUrl })
  await runMigrations(pool)
  await setup(pool)
  await pool.end()
  const databaseUrl = await startPgbouncer(t, stores.databaseUrl)
  const app = await buildTestApp(t, {
    stores: { ...stores, databaseUrl },
    env: { DATABASE_MIGRATE_ON_START: 'false', DATABASE_POOL_MAX: '8', ...env },
  })
  return { app, stores }
}

/** Every operation that reaches Postgres, many at once: the pooler moves them between its two connections. */
async function everyOperation(app: FastifyInstance, rounds: number) {
  const statuses: Record<number, number> = {}
  const bodies: string[] = []
  for (let round = 0; round < rounds; round++) {
    const batch = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) =>
        app.inject({ method: 'POST', url: '/api/messages', payload: { content: `pooled ${round}.${i}` } }),
      ),
      ...Array.from({ length: 8 }, () =>
        app.inject({ method: 'GET', url: `/api/messages?limit=${1 + (round % 5)}` }),
      ),
      ...Array.from({ length: 8 }, (_, i) => app.inject({ method: 'GET', url: `/api/messages/${1 + i}` })),
      app.inject({ method: 'GET', url: '/health/ready' }),
    ])
    for (const response of batch) {
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1
      if (response.statusCode >= 500) bodies.push(response.body)
    }
  }
  return { statuses, bodies }
}

t.test('with the defaults, named statements fail behind a transaction pooler', async (t) => {
  const { app } = await appBehindPgbouncer(t, { MESSAGES_CACHE_TTL_SECONDS: '0' })
  const { statuses } = await everyOperation(app, 10)
  t.comment(`statuses: ${JSON.stringify(statuses)}`)
  t.ok(
    Object.keys(statuses).some((status) => Number(status) >= 500),
    'some requests failed',
  )
})

t.test(
  'DATABASE_TRANSACTION_POOLER=true: every operation works through two server connections',
  async (t) => {
    // Session settings cannot travel through the pooler: the database (or role) carries them.
    const { app } = await appBehindPgbouncer(
      t,
      { DATABASE_TRANSACTION_POOLER: 'true', MESSAGES_CACHE_TTL_SECONDS: '0' },
      async (pool) => {
        const { rows } = await pool.query<{ db: string }>('select current_database() as db')
        await pool.query(`alter database "${rows[0]?.db}" set statement_timeout = '2s'`)
      },
    )
    const { statuses, bodies } = await everyOperation(app, 10)
    t.comment(`statuses: ${JSON.stringify(statuses)}`)
    t.same(bodies, [], 'no 5xx')
    t.equal(statuses[201], 80, 'every post stored')

    const shown = await app.pg.query<{ statement_timeout: string }>('show statement_timeout')
    t.equal(shown.rows[0]?.statement_timeout, '2s', 'the timeout set on the database applies')
  },
)
