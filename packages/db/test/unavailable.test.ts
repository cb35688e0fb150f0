import { createServer } from 'node:net'
import pg from 'pg'
import t from 'tap'
import { isDatabaseUnavailable } from '../src/index.ts'
import { migratedDatabase } from './helpers.ts'

t.test('a refused connection and a connect timeout are "unavailable"', async (t) => {
  const refused = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 })
  t.teardown(() => refused.end())
  const error = await refused.query('select 1').catch((caught: unknown) => caught)
  t.ok(isDatabaseUnavailable(error), 'ECONNREFUSED')

  // A server that accepts and never answers: the pool gives up after connectionTimeoutMillis.
  const silent = createServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => silent.close())
  const { port } = silent.address() as { port: number }
  const hung = new pg.Pool({
    connectionString: `postgres://x@127.0.0.1:${port}/x`,
    connectionTimeoutMillis: 200,
  })
  t.teardown(() => hung.end().catch(() => {}))
  const timeout = await hung.query('select 1').catch((caught: unknown) => caught)
  t.ok(isDatabaseUnavailable(timeout), String(timeout))
})

t.test('errors of the query itself are not "unavailable"', async (t) => {
  const { pool } = await migratedDatabase(t)
  const syntax = await pool.query('selec 1').catch((caught: unknown) => caught)
  t.notOk(isDatabaseUnavailable(syntax), 'a syntax error (42601)')
  const check = await pool
    .query("insert into messages (content) values ('')")
    .catch((caught: unknown) => caught)
  t.notOk(isDatabaseUnavailable(check), 'a CHECK violation (23514)')
  t.notOk(
    isDatabaseUnavailable(new Error('ours: Connection terminated, quoted')),
    'the text inside a message of ours',
  )
})

t.test('the cause chain is followed, as Drizzle wraps driver errors', async (t) => {
  const driver = Object.assign(new Error('terminating connection due to administrator command'), {
    code: '57P01',
  })
  t.ok(isDatabaseUnavailable(new Error('Failed query: select 1', { cause: driver })))
  t.notOk(isDatabaseUnavailable('not an error'))
})
