import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildFaultableApp, untilReady } from './helpers/app.ts'

// Each test gets its own app, reaching Postgres and Redis through proxies it can cut.
const ready = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/health/ready' })

t.test('liveness only needs the process', async (t) => {
  const { app } = await buildFaultableApp(t)
  const response = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(response.statusCode, 200)
  t.match(response.json(), { status: 'ok', uptimeSeconds: Number })
})

t.test('readiness reports each dependency with its latency', async (t) => {
  const { app } = await buildFaultableApp(t)
  const response = await ready(app)
  t.equal(response.statusCode, 200)
  t.match(response.json(), {
    status: 'ok',
    checks: {
      postgres: { status: 'ok', latencyMs: Number, backend: 'postgres' },
      redis: { status: 'ok', latencyMs: Number, backend: 'redis' },
    },
  })
})

for (const name of ['redis', 'postgres'] as const) {
  t.test(`readiness is 503 naming ${name} while it is unreachable, and recovers`, async (t) => {
    const faultable = await buildFaultableApp(t)
    const { app } = faultable
    const proxy = faultable[name]
    proxy.cut()
    const down = await ready(app)
    t.equal(down.statusCode, 503)
    t.match(down.headers['content-type'], /^application\/problem\+json/)
    const problem = down.json()
    t.match(problem, { status: 503, code: 'DEPENDENCY_UNAVAILABLE', detail: new RegExp(`^${name}: `) })
    t.equal(problem.checks[name].status, 'fail')
    t.match(problem.checks[name].error, /^(unavailable|no answer within \d+ ms)$/)
    t.notMatch(
      down.body,
      /127\.0\.0\.1|:\d{4,5}\b|ECONN|ETIMEDOUT|Connection|password/i,
      'no driver text, no address',
    )
    const other = name === 'redis' ? 'postgres' : 'redis'
    t.equal(problem.checks[other].status, 'ok', `${other} is still reported healthy`)

    proxy.restore()
    t.ok(await untilReady(app), 'ready again without a restart')
  })
}

t.test('with Redis down, reads fall back to Postgres and writes still land', async (t) => {
  const { app, redis } = await buildFaultableApp(t)
  redis.cut()
  t.teardown(() => redis.restore())
  const created = await app.inject({
    method: 'POST',
    url: '/api/messages',
    payload: { content: 'while redis was away' },
  })
  t.equal(created.statusCode, 201, 'the write is acknowledged')
  const listed = await app.inject({ method: 'GET', url: '/api/messages' })
  t.equal(listed.statusCode, 200)
  t.equal(listed.headers['x-cache'], 'miss')
  t.same(listed.json().items[0], created.json())

  const visits = await app.inject({ method: 'POST', url: '/api/visits', payload: {} })
  t.equal(visits.statusCode, 503, 'the counter lives only in Redis: 503, not a wrong number')
  t.match(visits.json(), { code: 'DEPENDENCY_UNAVAILABLE' })
})

t.test('a write made while Redis was away is not hidden by a stale cached page', async (t) => {
  const { app, redis } = await buildFaultableApp(t)
  // Warm the cache, lose Redis for one write, then read once Redis is back.
  await app.inject({ method: 'GET', url: '/api/messages' })
  t.equal((await app.inject({ method: 'GET', url: '/api/messages' })).headers['x-cache'], 'hit')
  redis.cut()
  const created = (
    await app.inject({ method: 'POST', url: '/api/messages', payload: { content: 'invalidation missed' } })
  ).json()
  redis.restore()
  t.ok(await untilReady(app))
  const listed = await app.inject({ method: 'GET', url: '/api/messages' })
  t.same(listed.json().items[0], created)
})

t.test('with Postgres down, message routes answer 503 problem+json', async (t) => {
  const { app, postgres } = await buildFaultableApp(t)
  postgres.cut()
  t.teardown(() => postgres.restore())
  const response = await app.inject({ method: 'GET', url: '/api/messages/1' })
  t.equal(response.statusCode, 503)
  t.equal(response.headers['retry-after'], '1')
  t.match(response.json(), { status: 503, code: 'DEPENDENCY_UNAVAILABLE' })
})
