import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildTestApp, countMessages, useDataStores } from './helpers/app.ts'

const limits = { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' }

function postVisit(target: FastifyInstance, remoteAddress: string, headers: Record<string, string> = {}) {
  return target.inject({ method: 'POST', url: '/api/visits', payload: {}, remoteAddress, headers })
}

t.test('each client may send RATE_LIMIT_MAX writes per operation per window', async (t) => {
  const app = await buildTestApp(t, { env: limits })
  const client = '10.0.0.1'
  const remaining = []
  for (let i = 0; i < 3; i++) {
    const reply = await postVisit(app, client)
    t.equal(reply.statusCode, 200)
    t.equal(reply.headers['x-ratelimit-limit'], '3')
    remaining.push(reply.headers['x-ratelimit-remaining'])
  }
  t.same(remaining, ['2', '1', '0'], 'each answer says how many writes are left')

  const refused = await postVisit(app, client)
  t.equal(refused.statusCode, 429)
  t.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(refused.json(), {
    status: 429,
    title: 'Too Many Requests',
    code: 'RATE_LIMITED',
    instance: '/api/visits',
  })
  t.ok(Number(refused.headers['retry-after']) >= 1, 'retry-after says when to come back')
  t.same(
    (await app.inject({ method: 'GET', url: '/api/visits' })).json(),
    { count: 3 },
    'the refused visit was not counted',
  )

  const messagesBefore = await countMessages(app)
  const post = () =>
    app.inject({ method: 'POST', url: '/api/messages', remoteAddress: client, payload: { content: 'hello' } })
  t.equal((await post()).statusCode, 201, 'messages have a budget of their own')
  await post()
  await post()
  t.equal((await post()).statusCode, 429)
  t.equal(await countMessages(app), messagesBefore + 3, 'the refused message was not stored')

  for (let i = 0; i < 10; i++) {
    const read = await app.inject({ method: 'GET', url: '/api/messages', remoteAddress: client })
    t.equal(read.statusCode, 200, 'reads have a budget of their own')
  }
})

t.test('a burst of concurrent writes gets exactly the budget through', async (t) => {
  const app = await buildTestApp(t, { env: limits })
  const replies = await Promise.all(Array.from({ length: 20 }, () => postVisit(app, '10.0.0.9')))
  const statuses = replies.map((reply) => reply.statusCode).sort()
  t.same(statuses, [...Array(3).fill(200), ...Array(17).fill(429)])
})

t.test('without Redis (pnpm dev) the budget is counted in process', async (t) => {
  const stores = await useDataStores(t)
  const inProcess = await buildTestApp(t, { stores, env: { ...limits, REDIS_URL: '' } })
  for (let i = 0; i < 3; i++) t.equal((await postVisit(inProcess, '10.0.0.8')).statusCode, 200)
  t.equal((await postVisit(inProcess, '10.0.0.8')).statusCode, 429)
})

t.test('other clients keep their own budget', async (t) => {
  const app = await buildTestApp(t, { env: limits })
  for (let i = 0; i < 4; i++) await postVisit(app, '10.0.0.2')
  t.equal((await postVisit(app, '10.0.0.2')).statusCode, 429)
  t.equal((await postVisit(app, '10.0.0.3')).statusCode, 200)
})

t.test('replicas share one budget through Redis', async (t) => {
  const stores = await useDataStores(t)
  const app = await buildTestApp(t, { stores, env: limits })
  const replica = await buildTestApp(t, { stores, env: limits })
  const client = '10.0.0.4'
  t.equal((await postVisit(app, client)).statusCode, 200)
  t.equal((await postVisit(replica, client)).statusCode, 200)
  t.equal((await postVisit(app, client)).statusCode, 200)
  t.equal(
    (await postVisit(replica, client)).statusCode,
    429,
    'the fourth write is refused whichever replica gets it',
  )
})

t.test('the budget comes back when the window ends', async (t) => {
  const stores = await useDataStores(t)
  const shortWindow = await buildTestApp(t, { stores, env: { ...limits, RATE_LIMIT_WINDOW_SECONDS: '2' } })
  const client = '10.0.0.5'
  for (let i = 0; i < 3; i++) await postVisit(shortWindow, client)
  const refused = await postVisit(shortWindow, client)
  t.equal(refused.statusCode, 429)
  await sleep(Number(refused.headers['retry-after']) * 1000 + 100)
  t.equal((await postVisit(shortWindow, client)).statusCode, 200)
})

t.test('X-Forwarded-For counts only from a trusted proxy', async (t) => {
  const stores = await useDataStores(t)
  const app = await buildTestApp(t, { stores, env: limits })
  const proxy = '10.0.0.6'
  // Untrusted: a client cannot get a fresh budget by making up an address.
  for (let i = 0; i < 3; i++) {
    t.equal((await postVisit(app, proxy, { 'x-forwarded-for': `203.0.113.${i}` })).statusCode, 200)
  }
  t.equal((await postVisit(app, proxy, { 'x-forwarded-for': '203.0.113.99' })).statusCode, 429)

  // Behind a trusted proxy, each forwarded client is counted on its own.
  const behindProxy = await buildTestApp(t, { stores, env: { ...limits, TRUST_PROXY: proxy } })
  for (let i = 0; i < 3; i++) await postVisit(behindProxy, proxy, { 'x-forwarded-for': '203.0.113.7' })
  t.equal((await postVisit(behindProxy, proxy, { 'x-forwarded-for': '203.0.113.7' })).statusCode, 429)
  t.equal((await postVisit(behindProxy, proxy, { 'x-forwarded-for': '203.0.113.8' })).statusCode, 200)
})

t.test('RATE_LIMIT_MAX=0 turns the limit off', async (t) => {
  const stores = await useDataStores(t)
  const unlimited = await buildTestApp(t, { stores, env: { RATE_LIMIT_MAX: '0' } })
  for (let i = 0; i < 10; i++) {
    const reply = await postVisit(unlimited, '10.0.0.7')
    t.equal(reply.statusCode, 200)
    t.equal(reply.headers['x-ratelimit-limit'], undefined, 'and sends no rate-limit headers')
  }
})
