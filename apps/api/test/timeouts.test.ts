import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildFaultableApp, countMessages, untilReady } from './helpers/app.ts'

// Dependencies that hang or slow down instead of refusing: every request
// still ends, within the documented bound, as a 503 problem with Retry-After
// (or, for the cached list, served from the other store).
const bounds = {
  DATABASE_CONNECT_TIMEOUT_MS: '300',
  DATABASE_STATEMENT_TIMEOUT_MS: '300',
  REDIS_COMMAND_TIMEOUT_MS: '200',
  HEALTH_CHECK_TIMEOUT_MS: '300',
}
// connect or statement (300) + the client's 500 ms grace, and room for a loaded CI machine.
const POSTGRES_BOUND_MS = 300 + 500 + 700

async function timed(app: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: object) {
  const started = performance.now()
  const response = await app.inject({ method, url, ...(payload && { payload }) })
  return { response, ms: Math.round(performance.now() - started) }
}

t.test('a hung Postgres: reads and writes get 503 with Retry-After within the bound', async (t) => {
  const { app, postgres } = await buildFaultableApp(t, bounds)
  const created = await app.inject({ method: 'POST', url: '/api/messages', payload: { content: 'before' } })
  t.equal(created.statusCode, 201)
  postgres.stall()
  t.teardown(() => postgres.restore())
  for (const [method, url, payload] of [
    ['GET', `/api/messages/${created.json().id}`],
    ['POST', '/api/messages', { content: 'during the hang' }],
    ['GET', '/api/messages?limit=7'],
  ] as const) {
    const { response, ms } = await timed(app, method, url, payload)
    t.equal(response.statusCode, 503, `${method} ${url}: 503`)
    t.equal(response.headers['retry-after'], '1')
    t.match(response.json(), { code: 'DEPENDENCY_UNAVAILABLE' })
    t.ok(ms < POSTGRES_BOUND_MS, `${method} ${url} answered in ${ms} ms (bound ${POSTGRES_BOUND_MS})`)
  }
  const ready = await timed(app, 'GET', '/health/ready')
  t.equal(ready.response.statusCode, 503)
  t.ok(ready.ms < 1000, `readiness says so within its timeout (${ready.ms} ms)`)
  postgres.restore()
  t.ok(await untilReady(app), 'ready again, without a restart')
  t.equal((await app.inject({ method: 'GET', url: '/api/messages' })).statusCode, 200)
})

t.test('a Postgres that takes the query and never answers (half-open) is bounded the same way', async (t) => {
  const { app, postgres } = await buildFaultableApp(t, bounds)
  t.equal((await app.inject({ method: 'GET', url: '/api/messages' })).statusCode, 200)
  postgres.halfOpen()
  t.teardown(() => postgres.restore())
  const { response, ms } = await timed(app, 'GET', '/api/messages/1')
  t.equal(response.statusCode, 503)
  t.ok(ms < POSTGRES_BOUND_MS, `answered in ${ms} ms`)
  postgres.restore()
  t.ok(await untilReady(app))
})

t.test(
  'a hung Redis: the list comes from Postgres, the counter is 503, within the command timeout',
  async (t) => {
    // Postgres is not the subject here: a connect bound a loaded CI machine keeps.
    const { app, redis } = await buildFaultableApp(t, { ...bounds, DATABASE_CONNECT_TIMEOUT_MS: '5000' })
    await app.inject({ method: 'GET', url: '/api/messages' })
    redis.stall()
    t.teardown(() => redis.restore())
    const list = await timed(app, 'GET', '/api/messages')
    t.equal(list.response.statusCode, 200, 'the list is served')
    t.equal(list.response.headers['x-cache'], 'miss', 'from Postgres')
    t.ok(list.ms < 1000, `in ${list.ms} ms`)
    const visit = await timed(app, 'POST', '/api/visits', {})
    t.equal(visit.response.statusCode, 503)
    t.ok(visit.ms < 1000, `the counter says 503 in ${visit.ms} ms`)
    const post = await timed(app, 'POST', '/api/messages', { content: 'while redis hangs' })
    t.equal(post.response.statusCode, 201, 'writes still land')
    redis.restore()
    t.ok(await untilReady(app), 'Redis is used again once it answers')
    t.equal((await app.inject({ method: 'POST', url: '/api/visits', payload: {} })).statusCode, 200)
    const after = await app.inject({ method: 'GET', url: '/api/messages' })
    t.equal(after.json().items[0].content, 'while redis hangs', 'and the write made meanwhile is listed')
  },
)

t.test('a slow Redis (added latency) slows requests but fails none', async (t) => {
  const { app, redis } = await buildFaultableApp(t, bounds)
  redis.delay(50)
  t.teardown(() => redis.restore())
  for (let i = 0; i < 5; i++) {
    t.equal((await app.inject({ method: 'POST', url: '/api/visits', payload: {} })).statusCode, 200)
    t.equal((await app.inject({ method: 'GET', url: '/api/messages' })).statusCode, 200)
  }
})

t.test('a full write queue refuses posts at once with 503 OVERLOADED, and writes none of them', async (t) => {
  const { app, postgres } = await buildFaultableApp(t, {
    ...bounds,
    DATABASE_CONNECT_TIMEOUT_MS: '5000',
    DATABASE_STATEMENT_TIMEOUT_MS: '5000',
    DATABASE_INSERT_BATCH_MAX: '1',
    DATABASE_INSERT_CONCURRENCY: '1',
    DATABASE_INSERT_QUEUE_MAX: '2',
  })
  await app.ready()
  const before = await countMessages(app)
  // Slow enough that the first INSERT is still in flight when the last post arrives.
  postgres.delay(200)
  t.teardown(() => postgres.restore())
  const replies = await Promise.all(
    Array.from({ length: 8 }, (_, i) => timed(app, 'POST', '/api/messages', { content: `queued ${i}` })),
  )
  const refused = replies.filter(({ response }) => response.statusCode === 503)
  const stored = replies.filter(({ response }) => response.statusCode === 201)
  t.equal(stored.length, 3, 'one in flight and two waiting were written')
  t.equal(refused.length, 5, 'the rest refused')
  for (const { response, ms } of refused) {
    t.match(response.json(), { code: 'OVERLOADED' })
    t.equal(response.headers['retry-after'], '1')
    t.ok(ms < 200, `refused at once (${ms} ms)`)
  }
  postgres.restore()
  t.equal(await countMessages(app), before + stored.length, 'nothing of a refused post was written')
})
