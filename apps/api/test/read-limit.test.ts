import t from 'tap'
import { buildFaultableApp, buildTestApp, countMessages } from './helpers/app.ts'

const reads = { RATE_LIMIT_READ_MAX: '5', RATE_LIMIT_WINDOW_SECONDS: '60' }

t.test('each client may send RATE_LIMIT_READ_MAX reads per route per window', async (t) => {
  const app = await buildTestApp(t, { env: reads })
  const get = (url: string, remoteAddress = '10.1.0.1') => app.inject({ method: 'GET', url, remoteAddress })
  for (let i = 0; i < 5; i++) t.equal((await get('/api/messages')).statusCode, 200)
  const refused = await get('/api/messages')
  t.equal(refused.statusCode, 429)
  t.match(refused.json(), { code: 'RATE_LIMITED', detail: /Too many requests/, instance: '/api/messages' })
  t.ok(Number(refused.headers['retry-after']) >= 1)
  t.equal(refused.headers['x-ratelimit-limit'], '5')

  t.equal((await get('/api/messages', '10.1.0.2')).statusCode, 200, 'another client has its own budget')
  t.equal((await get('/api/status')).statusCode, 200, 'another route has its own budget')
  const writes = await app.inject({
    method: 'POST',
    url: '/api/visits',
    remoteAddress: '10.1.0.1',
    headers: { 'content-type': 'application/json' },
    payload: '{}',
  })
  t.equal(writes.statusCode, 200, 'writes count against the write budget, not the reads')
})

t.test('probes are never limited', async (t) => {
  const app = await buildTestApp(t, { env: { ...reads, RATE_LIMIT_READ_MAX: '1' } })
  for (const url of ['/health/live', '/health/ready']) {
    const statuses = new Set<number>()
    for (let i = 0; i < 20; i++)
      statuses.add((await app.inject({ url, remoteAddress: '10.1.0.3' })).statusCode)
    t.same([...statuses], [200], `${url}: 20 probes, all answered`)
  }
})

t.test('RATE_LIMIT_READ_MAX=0 turns the read limit off and keeps the write limit', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_READ_MAX: '0', RATE_LIMIT_MAX: '1' } })
  for (let i = 0; i < 20; i++) t.equal((await app.inject({ url: '/api/messages' })).statusCode, 200)
  const post = () =>
    app
      .inject({ method: 'POST', url: '/api/messages', payload: { content: 'one' } })
      .then((r) => r.statusCode)
  t.same([await post(), await post()], [201, 429])
})

t.test('Redis away: an operation in RATE_LIMIT_FAIL_CLOSED is refused, the others let through', async (t) => {
  const { app, redis } = await buildFaultableApp(t, {
    RATE_LIMIT_MAX: '100',
    RATE_LIMIT_READ_MAX: '100',
    RATE_LIMIT_FAIL_CLOSED: 'createMessage',
    REDIS_COMMAND_TIMEOUT_MS: '200',
  })
  const post = () => app.inject({ method: 'POST', url: '/api/messages', payload: { content: 'during' } })
  t.equal((await post()).statusCode, 201, 'with Redis, counted and written')
  const before = await countMessages(app)
  redis.cut()

  const closed = await post()
  t.equal(closed.statusCode, 503, 'fail-closed: refused while the limit cannot be counted')
  t.match(closed.json(), { code: 'DEPENDENCY_UNAVAILABLE' })
  t.equal(closed.headers['retry-after'], '1')
  t.equal(await countMessages(app), before, 'and nothing written')

  const open = await app.inject({ url: '/api/messages' })
  t.equal(open.statusCode, 200, 'fail-open: a read is let through, served from Postgres')
  const limited = await app.inject({ url: '/api/messages/1' })
  t.not(limited.statusCode, 503, 'every other operation too')
  redis.restore()
})

t.test('fail-open is the default: a write goes through while Redis is away', async (t) => {
  const { app, redis } = await buildFaultableApp(t, {
    RATE_LIMIT_MAX: '100',
    REDIS_COMMAND_TIMEOUT_MS: '200',
  })
  redis.cut()
  const response = await app.inject({ method: 'POST', url: '/api/messages', payload: { content: 'open' } })
  t.equal(response.statusCode, 201)
  redis.restore()
})

t.test('an unknown operation in RATE_LIMIT_FAIL_CLOSED stops the start with a clear message', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_FAIL_CLOSED: 'postMesage' } })
  await t.rejects(
    async () => app.ready(),
    /RATE_LIMIT_FAIL_CLOSED names no operation of this API: postMesage/,
  )
})
