import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'

// @fastify/under-pressure with this service's thresholds: past them a request
// gets a fast 503 OVERLOADED instead of a place in a queue; the probes never do.

/** Keeps the event loop busy, as a replica that is offered more than it can do. */
function blockEventLoop(ms: number) {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy on purpose
  }
}

t.test(
  'while the event loop lags, requests get 503 OVERLOADED with Retry-After; probes do not',
  async (t) => {
    const app = await buildTestApp(t, {
      env: { LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '30', LOAD_SHEDDING_SAMPLE_INTERVAL_MS: '100' },
    })
    await app.ready()
    t.equal((await app.inject({ method: 'GET', url: '/api/visits' })).statusCode, 200, 'fine at rest')
    blockEventLoop(300)
    await sleep(25) // one sample, which measures the lag
    const shed = await app.inject({ method: 'GET', url: '/api/visits' })
    t.equal(shed.statusCode, 503)
    t.equal(shed.headers['retry-after'], '1')
    t.match(shed.json(), { code: 'OVERLOADED', status: 503, title: 'Service Unavailable' })
    t.equal(shed.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'liveness answers')
    t.not(
      (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode,
      503,
      'readiness is not shed',
    )
    await sleep(250) // samples without lag
    t.equal(
      (await app.inject({ method: 'GET', url: '/api/visits' })).statusCode,
      200,
      'and it recovers by itself',
    )
  },
)

t.test('past the heap threshold every API request is refused, and nothing is written', async (t) => {
  const app = await buildTestApp(t, {
    env: { LOAD_SHEDDING_MAX_HEAP_USED_MB: '1', LOAD_SHEDDING_SAMPLE_INTERVAL_MS: '50' },
  })
  await app.ready()
  await sleep(100)
  const post = await app.inject({ method: 'POST', url: '/api/messages', payload: { content: 'refused' } })
  t.equal(post.statusCode, 503)
  t.match(post.json(), { code: 'OVERLOADED' })
  const { rows } = await app.pg.query<{ n: number }>('select count(*)::int as n from messages')
  t.equal(rows[0]?.n, 0, 'the refused post wrote nothing')
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200)
})

t.test('thresholds of 0 turn shedding off', async (t) => {
  const app = await buildTestApp(t) // the helper turns every threshold off
  await app.ready()
  blockEventLoop(300)
  await sleep(250)
  t.equal((await app.inject({ method: 'GET', url: '/api/visits' })).statusCode, 200)
})
