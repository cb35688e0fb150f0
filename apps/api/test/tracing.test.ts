import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type DataStores, waitUntil } from '@app/testing'
import t, { type Test } from 'tap'
import { TEST_CURSOR_SECRET, useDataStores } from './helpers/app.ts'
import { startNode } from './helpers/process.ts'

// Tracing as an operator turns it on: the server started with
// `--import telemetry` and the standard OTEL_* variables, exporting OTLP (JSON
// over HTTP) to a receiver this test runs. A request that comes with a W3C
// traceparent gives one trace: the HTTP server span, a child of the caller's
// span, and under it the Postgres and Redis spans of that request.

interface Span {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: { key: string; value: { stringValue?: string } }[]
}

async function otlpReceiver(t: Test) {
  const spans: Span[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      const { resourceSpans = [] } = JSON.parse(body || '{}')
      for (const resource of resourceSpans)
        for (const scope of resource.scopeSpans ?? []) spans.push(...(scope.spans ?? []))
      response.setHeader('content-type', 'application/json')
      response.end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans }
}

/** The server on a test's own stores, on free ports. */
const serverEnv = (stores: DataStores) => ({
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  METRICS_PORT: '0',
  DATABASE_URL: stores.databaseUrl,
  REDIS_URL: stores.redisUrl,
  REDIS_KEY_PREFIX: stores.keyPrefix,
  CURSOR_SECRET: TEST_CURSOR_SECRET,
})

const attribute = (span: Span, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue
const dbSystem = (span: Span) => attribute(span, 'db.system.name') ?? attribute(span, 'db.system')

t.test('a traced request is one trace: its server span with Postgres and Redis spans under it', async (t) => {
  const stores = await useDataStores(t)
  const receiver = await otlpReceiver(t)
  const server = startNode(
    t,
    ['--conditions=development', '--import', './src/telemetry.ts', 'src/server.ts'],
    {
      ...serverEnv(stores),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'board-api-test',
    },
  )
  const [, base] = await server.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/)

  const traceId = randomBytes(16).toString('hex')
  const callerSpanId = randomBytes(8).toString('hex')
  const response = await fetch(`${base}/api/messages?limit=7`, {
    headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
  })
  t.equal(response.status, 200)

  const trace = () => receiver.spans.filter((span) => span.traceId === traceId)
  const complete = () => {
    const spans = trace()
    return spans.some((s) => dbSystem(s) === 'postgresql') && spans.some((s) => dbSystem(s) === 'redis')
  }
  t.ok(await waitUntil(complete, { timeoutMs: 10_000 }), 'the trace reached the receiver')

  const spans = trace()
  const byId = new Map(spans.map((span) => [span.spanId, span]))
  const http = spans.find((span) => span.kind === 2 && span.parentSpanId === callerSpanId)
  t.ok(http, "the server span continues the caller's trace (traceparent)")
  const underHttp = (span: Span): boolean => {
    for (let at: Span | undefined = span; at; at = byId.get(at.parentSpanId ?? ''))
      if (at === http) return true
    return false
  }
  const postgres = spans.filter((span) => dbSystem(span) === 'postgresql')
  const redis = spans.filter((span) => dbSystem(span) === 'redis')
  t.ok(
    postgres.length > 0 && postgres.every(underHttp),
    `${postgres.length} Postgres spans, under the server span`,
  )
  t.ok(redis.length > 0 && redis.every(underHttp), `${redis.length} Redis spans, under the server span`)
  t.ok(
    spans.some((span) => span.name.includes('/api/messages')),
    'a span names the route',
  )
  t.comment(spans.map((span) => `${span.name} (${dbSystem(span) ?? span.kind})`).join('; '))
})

t.test('without OTEL_* variables nothing is loaded', async (t) => {
  const stores = await useDataStores(t)
  const server = startNode(
    t,
    [
      '--conditions=development',
      '--import',
      './src/telemetry.ts',
      '--import',
      'data:text/javascript,process.on("exit",()=>console.log("otel loaded:",!!globalThis[Symbol.for("board.telemetry")]))',
      'src/server.ts',
    ],
    serverEnv(stores),
  )
  await server.waitFor(/Server listening at/)
  server.child.kill('SIGTERM')
  await server.exited()
  t.match(server.output(), /otel loaded: false/)
})
