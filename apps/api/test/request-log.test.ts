import { readConfig } from '@app/config'
import t, { type Test } from 'tap'
import { buildApp } from '../src/app.ts'
import { TEST_CURSOR_SECRET, useDataStores } from './helpers/app.ts'
import { captureLog } from './helpers/log.ts'

// What the app logs: one line per request, the request id on every line,
// never a secret. The app's real pino logger, written to a stream the test reads.

async function loggedApp(t: Test) {
  const stores = await useDataStores(t)
  const { lines, logStream: stream } = captureLog()
  const config = readConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: stores.databaseUrl,
    REDIS_URL: stores.redisUrl,
    REDIS_KEY_PREFIX: stores.keyPrefix,
    DATABASE_MIGRATE_ON_START: 'true',
    CURSOR_SECRET: TEST_CURSOR_SECRET,
    // A test process's heap is not a replica's (see helpers/app.ts).
    LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0',
    LOAD_SHEDDING_MAX_EVENT_LOOP_UTILIZATION: '0',
    LOAD_SHEDDING_MAX_HEAP_USED_MB: '0',
    LOAD_SHEDDING_MAX_RSS_MB: '0',
  })
  const app = await buildApp(config, { logStream: stream })
  t.teardown(() => app.close())
  return { app, lines }
}

t.test('one line per request: method, route pattern, status, duration and its id', async (t) => {
  const { app, lines } = await loggedApp(t)
  const reply = await app.inject({ method: 'GET', url: '/api/messages/42' })
  const logged = lines.filter((line) => line.msg === 'request')
  t.equal(logged.length, 1)
  t.match(logged[0], { method: 'GET', route: '/api/messages/:id', status: 404, durationMs: Number })
  t.equal(logged[0]?.reqId, reply.headers['x-request-id'], 'the id the client got back')
})

t.test(
  "the proxy's id is kept when well formed, replaced otherwise, and returned on errors too",
  async (t) => {
    const { app, lines } = await loggedApp(t)
    const fromProxy = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
    const kept = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': fromProxy } })
    t.equal(kept.statusCode, 404)
    t.equal(kept.headers['x-request-id'], fromProxy)
    for (const forged of ['short', 'has spaces in it', `${'x'.repeat(200)}`, 'line\\nbreak<script>']) {
      const replaced = await app.inject({
        method: 'GET',
        url: '/api/visits',
        headers: { 'x-request-id': forged },
      })
      t.match(
        replaced.headers['x-request-id'],
        /^[0-9a-f-]{36}$/,
        `${JSON.stringify(forged.slice(0, 20))} replaced by a UUID`,
      )
    }
    const bad = await app.inject({ method: 'GET', url: '/api/messages/%zz' })
    t.equal(bad.statusCode, 400)
    t.ok(bad.headers['x-request-id'], 'a router error carries one too')
    t.ok(
      lines.filter((line) => line.reqId !== undefined).every((line) => typeof line.reqId === 'string'),
      'every line of a request carries its id',
    )
  },
)

t.test('secrets and credentials never reach the log', async (t) => {
  const { app, lines } = await loggedApp(t)
  await app.inject({
    method: 'POST',
    url: '/api/messages',
    headers: { authorization: 'Bearer super-secret-token', cookie: 'session=also-secret' },
    payload: { content: 'hello' },
  })
  const text = JSON.stringify(lines)
  t.notMatch(text, /super-secret-token|also-secret/)
  t.notMatch(
    text,
    new URL(process.env.DATABASE_URL ?? 'postgres://x@y/z').password || '\u0000never',
    'no database password',
  )
})
