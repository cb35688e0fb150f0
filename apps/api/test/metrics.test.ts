import { execFile } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { startMetricsServer } from '../src/metrics/server.ts'
import { buildTestApp } from './helpers/app.ts'

const run = promisify(execFile)

// The app's Prometheus metrics: on a server of their own, with bounded
// labels, in the format promtool accepts.

async function scrape(t: Test, app: FastifyInstance) {
  const server = await startMetricsServer(app.metricsRegistry, '127.0.0.1', 0)
  t.teardown(() => server.close())
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)
  return { response, text: await response.text() }
}

t.test('metrics are served on their own port, never on the public one', async (t) => {
  const app = await buildTestApp(t)
  await app.inject({ method: 'GET', url: '/api/visits' })
  const { response, text } = await scrape(t, app)
  t.equal(response.status, 200)
  t.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  t.match(
    text,
    /^board_http_request_duration_seconds_count\{method="GET",route="\/api\/visits",status_class="2xx"\} 1$/m,
  )
  t.match(text, /^board_build_info\{version="\d+\.\d+\.\d+",commit="unknown"\} 1$/m)
  t.match(text, /^process_resident_memory_bytes \d+/m, "the client's process metrics")
  t.equal(
    (await app.inject({ method: 'GET', url: '/metrics' })).statusCode,
    404,
    'not on the public listener',
  )
})

t.test('routes are labelled by pattern; unknown paths fold into one label', async (t) => {
  const app = await buildTestApp(t)
  for (let i = 0; i < 20; i++) {
    await app.inject({ method: 'GET', url: `/api/messages/${i + 1}` })
    await app.inject({ method: 'GET', url: `/no/such/path/${i}` })
  }
  const { text } = await scrape(t, app)
  const series = text
    .split('\n')
    .filter((line) => line.startsWith('board_http_request_duration_seconds_count'))
  t.same(series.map((line) => line.replace(/ \d+$/, '')).sort(), [
    'board_http_request_duration_seconds_count{method="GET",route="/api/messages/:id",status_class="4xx"}',
    'board_http_request_duration_seconds_count{method="GET",route="unmatched",status_class="4xx"}',
  ])
})

t.test('what the app does shows in its metrics', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_MAX: '1' } })
  await app.inject({ method: 'GET', url: '/api/messages' })
  await app.inject({ method: 'GET', url: '/api/messages' })
  const key = { 'idempotency-key': '"metrics-test"' }
  for (let i = 0; i < 2; i++)
    await app.inject({ method: 'POST', url: '/api/messages', payload: { content: 'm' }, headers: key })
  await app.inject({ method: 'GET', url: '/health/ready' })
  const { text } = await scrape(t, app)
  t.match(text, /^board_cache_requests_total\{group="messages",outcome="miss"\} 1$/m)
  t.match(text, /^board_cache_requests_total\{group="messages",outcome="hit_local"\} 1$/m)
  t.match(text, /^board_write_batch_size_count 1$/m, 'one INSERT')
  t.match(
    text,
    /^board_rate_limited_total\{operation="createMessage"\} 1$/m,
    'the second post was over the limit of 1',
  )
  t.match(text, /^board_ready 1$/m)
  t.match(text, /^board_db_pool_connections\{state="total"\} \d+$/m)
  t.match(text, /^board_redis_up 1$/m)
})

t.test('a live scrape passes promtool check metrics', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['/api/visits', '/api/messages', '/health/ready', '/nowhere'])
    await app.inject({ method: 'GET', url })
  const { text } = await scrape(t, app)
  const check = run('promtool', ['check', 'metrics'])
  check.child.stdin?.end(text)
  const { stdout, stderr } = await check.catch((error: { stdout: string; stderr: string }) => error)
  t.equal(`${stdout}${stderr}`.trim(), '', 'no problem reported')
})

t.test('METRICS_ENABLED=false times nothing', async (t) => {
  const app = await buildTestApp(t, { env: { METRICS_ENABLED: 'false' } })
  t.equal((await app.inject({ method: 'GET', url: '/api/visits' })).statusCode, 200)
  const { text } = await scrape(t, app)
  t.notMatch(text, /board_http_request_duration_seconds_count/, 'no request was timed')
  t.notMatch(text, /^process_resident_memory_bytes/m, 'nor the process')
})
