import {
  type ApiClient,
  bearerToken,
  createApiClient,
  type HealthCheck,
  idempotencyKey,
  type Problem,
  type ReadinessProblem,
} from '@app/client'
import t, { type Test } from 'tap'
import { buildFaultableApp, buildTestApp, countMessages, untilReady } from './helpers/app.ts'
import { contractViolations, operations } from './helpers/contract.ts'

// End to end: a real listening server on real Postgres and Redis (behind
// proxies this file can cut), called only through the generated client, so
// a route whose schema changes incompatibly breaks `pnpm typecheck` here.
// Every response the client receives is also checked against openapi.json.
//
// One server for the whole file, on purpose: the last test checks that the
// tests before it, together, saw every documented status. Each test restores
// what it takes away (a proxy it cuts) before it ends.

const MODERATOR_TOKEN = 'moderator-token-for-the-client-test-0123'
const { app, stores, postgres, redis } = await buildFaultableApp(t, { ADMIN_TOKEN: `mod:${MODERATOR_TOKEN}` })
const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
const seen = new Map<string, Set<number>>()

/** A client whose every response is one assertion: it matches the spec. */
function client(t: Test, url = baseUrl): ApiClient {
  const api = createApiClient(url)
  api.use({
    async onResponse({ request, response, schemaPath }) {
      const op = operations.find((o) => o.method === request.method && o.path === schemaPath)
      if (!op) {
        t.fail(`${request.method} ${schemaPath} is not in the spec`)
        return
      }
      const body = await response.clone().text()
      const headers = Object.fromEntries(response.headers)
      t.same(
        contractViolations(op.operationId, { status: response.status, headers, body }),
        [],
        `${op.operationId} ${response.status} matches the spec`,
      )
      seen.set(op.operationId, (seen.get(op.operationId) ?? new Set()).add(response.status))
    },
  })
  return api
}

/** 503 from readiness is a ReadinessProblem; the other documented error (500) is a plain Problem. */
function failedChecks(error: Problem | ReadinessProblem | undefined): string {
  const checks: Record<string, HealthCheck> = (error && 'checks' in error && error.checks) || {}
  return Object.entries(checks)
    .filter(([, check]) => check.status === 'fail')
    .map(([name]) => name)
    .join()
}

t.test('health probes', async (t) => {
  const api = client(t)
  const live = await api.GET('/health/live')
  t.equal(live.data?.status, 'ok')
  const ready = await api.GET('/health/ready')
  t.equal(ready.data?.checks.postgres.status, 'ok')
  t.equal(ready.data?.checks.redis.backend, 'redis')
})

t.test('visits: record, read, and 503 with retry-after while Redis is away', async (t) => {
  const api = client(t)
  const before = await api.GET('/api/visits')
  const recorded = await api.POST('/api/visits', { body: {} })
  t.equal(recorded.data?.count, (before.data?.count ?? Number.NaN) + 1)
  t.same((await api.GET('/api/visits')).data, recorded.data)

  redis.cut()
  t.teardown(() => redis.restore())
  const down = await api.POST('/api/visits', { body: {} })
  t.equal(down.response.status, 503)
  t.equal(down.error?.code, 'DEPENDENCY_UNAVAILABLE')
  t.equal(down.response.headers.get('retry-after'), '1')
  t.equal((await api.GET('/api/visits')).response.status, 503)
  const ready = await api.GET('/health/ready')
  t.equal(failedChecks(ready.error), 'redis', 'readiness names the failed check')
  redis.restore()
  t.ok(await untilReady(app), 'ready again once Redis is back')
})

t.test('messages: create, read, page through with cursors', async (t) => {
  const api = client(t)
  const created = []
  for (const content of ['first', 'second 😀', 'third <b>&</b>']) {
    const { data, error, response } = await api.POST('/api/messages', { body: { content } })
    if (error) throw new Error(error.detail)
    t.equal(data.content, content)
    t.ok(Math.abs(Date.parse(data.createdAt) - Date.now()) < 60_000, 'createdAt is now')
    t.equal(response.headers.get('location'), `/api/messages/${data.id}`)
    created.push(data)
  }
  const one = await api.GET('/api/messages/{id}', { params: { path: { id: created[0]?.id ?? 0 } } })
  t.same(one.data, created[0])

  const ids: number[] = []
  let cursor: string | undefined
  do {
    const { data } = await api.GET('/api/messages', { params: { query: { limit: 2, cursor } } })
    ids.push(...(data?.items.map((item) => item.id) ?? []))
    cursor = data?.nextCursor ?? undefined
  } while (cursor)
  t.same(ids, created.map((message) => message.id).reverse(), 'every message once, newest first')
  const again = await api.GET('/api/messages', { params: { query: { limit: 2 } } })
  t.equal(again.response.headers.get('x-cache'), 'hit')
  const etag = again.response.headers.get('etag') ?? ''
  const unchanged = await api.GET('/api/messages', {
    params: { query: { limit: 2 }, header: { 'if-none-match': etag } },
  })
  t.equal(unchanged.response.status, 304, 'If-None-Match with the current ETag: 304')
  t.equal(unchanged.response.headers.get('etag'), etag)
})

t.test('idempotency keys: a retry gets the first answer, a reused key 422, one in flight 409', async (t) => {
  const api = client(t)
  const key = idempotencyKey()
  const header = { 'idempotency-key': key }
  const before = await countMessages(app)
  const first = await api.POST('/api/messages', { body: { content: 'once' }, params: { header } })
  const retry = await api.POST('/api/messages', { body: { content: 'once' }, params: { header } })
  t.equal(first.response.status, 201)
  t.same([retry.response.status, retry.data], [201, first.data], 'the retry gets the same status and body')
  t.equal(retry.response.headers.get('location'), first.response.headers.get('location'))
  t.equal(retry.response.headers.get('idempotent-replayed'), 'true')
  t.equal(await countMessages(app), before + 1, 'written once')
  const reused = await api.POST('/api/messages', { body: { content: 'other' }, params: { header } })
  t.equal(reused.error?.code, 'IDEMPOTENCY_KEY_REUSED')

  // A request with this key in flight elsewhere holds its claim in Redis.
  const busy = idempotencyKey()
  await app.cache.claim(`messages:127.0.0.1:${busy.slice(1, -1)}`, 5000)
  const inFlight = await api.POST('/api/messages', {
    body: { content: 'later' },
    params: { header: { 'idempotency-key': busy } },
  })
  t.equal(inFlight.error?.code, 'IDEMPOTENCY_KEY_IN_USE')

  const visit = idempotencyKey()
  const counted = await api.POST('/api/visits', {
    body: {},
    params: { header: { 'idempotency-key': visit } },
  })
  const again = await api.POST('/api/visits', { body: {}, params: { header: { 'idempotency-key': visit } } })
  t.same(again.data, counted.data, 'a retried visit is not counted twice')
  const otherBody = await api.POST('/api/visits', {
    body: { extra: true } as never,
    params: { header: { 'idempotency-key': visit } },
  })
  t.equal(otherBody.error?.status, 400, 'a visit has no body but `{}`, so no other request can reuse its key')
})

t.test('client errors come back as typed problems and write nothing', async (t) => {
  const api = client(t)
  const before = await countMessages(app)
  const empty = await api.POST('/api/messages', { body: { content: '' } })
  t.equal(empty.error?.code, 'VALIDATION_FAILED')
  t.same(
    empty.error?.errors?.map((e) => e.field),
    ['content'],
  )
  const huge = await api.POST('/api/messages', { body: { content: 'x'.repeat(20_000) } })
  t.equal(huge.response.status, 413)
  const text = await api.POST('/api/messages', {
    body: { content: 'hi' },
    bodySerializer: (body) => body.content,
    headers: { 'content-type': 'text/plain' },
  })
  t.equal(text.response.status, 415)
  const notJson = await api.POST('/api/visits', {
    body: '{' as never,
    bodySerializer: String,
    headers: { 'content-type': 'application/json' },
  })
  t.equal(notJson.response.status, 400)
  const notJsonVisit = await api.POST('/api/visits', {
    body: 'visit' as never,
    bodySerializer: String,
    headers: { 'content-type': 'text/plain' },
  })
  t.equal(notJsonVisit.response.status, 415)
  const hugeVisit = await api.POST('/api/visits', { body: { pad: 'x'.repeat(20_000) } as never })
  t.equal(hugeVisit.response.status, 413)
  t.equal(await countMessages(app), before)

  t.equal((await api.GET('/api/messages', { params: { query: { limit: 0 } } })).error?.status, 400)
  t.equal(
    (await api.GET('/api/messages', { params: { query: { cursor: `bm9wZQ.${'A'.repeat(22)}` } } })).error
      ?.code,
    'INVALID_CURSOR',
  )
  t.equal(
    (await api.GET('/api/messages/{id}', { params: { path: { id: 2_147_483_647 } } })).error?.code,
    'MESSAGE_NOT_FOUND',
  )
  t.equal((await api.GET('/api/messages/{id}', { params: { path: { id: 0 } } })).error?.status, 400)
  // What a client that ignores the types could send.
  const long = await api.GET('/api/messages/{id}', { params: { path: { id: '9'.repeat(101) as never } } })
  t.equal(long.response.status, 414)
})

t.test('moderation: the client sends a bearer token; without one 401, with a wrong one 403', async (t) => {
  const api = client(t)
  const moderator = client(t)
  moderator.use(bearerToken(MODERATOR_TOKEN))
  const stranger = client(t)
  stranger.use(bearerToken('not-the-moderator-token-not-the-moderator'))
  const posted = await api.POST('/api/messages', { body: { content: 'to be moderated' } })
  const path = { id: posted.data?.id as number }

  const anonymous = await api.DELETE('/api/messages/{id}', { params: { path } })
  t.equal(anonymous.error?.code, 'UNAUTHORIZED')
  t.equal(anonymous.response.headers.get('www-authenticate'), 'Bearer realm="moderation"')
  t.equal((await stranger.DELETE('/api/messages/{id}', { params: { path } })).error?.code, 'FORBIDDEN')
  t.equal((await moderator.DELETE('/api/messages/{id}', { params: { path } })).response.status, 204)
  t.equal(
    (await moderator.DELETE('/api/messages/{id}', { params: { path } })).error?.code,
    'MESSAGE_NOT_FOUND',
  )
  t.equal(
    (await moderator.DELETE('/api/messages/{id}', { params: { path: { id: 0 } } })).response.status,
    400,
  )
  const long = await moderator.DELETE('/api/messages/{id}', {
    params: { path: { id: '9'.repeat(101) as never } },
  })
  t.equal(long.response.status, 414)
})

t.test('status is cached across calls', async (t) => {
  const api = client(t)
  const first = await api.GET('/api/status')
  const second = await api.GET('/api/status')
  t.equal(second.response.headers.get('x-cache'), 'hit')
  t.same(second.data, first.data)
  t.equal(first.data?.ttlSeconds, 10)
  const etag = second.response.headers.get('etag') ?? ''
  const unchanged = await api.GET('/api/status', { params: { header: { 'if-none-match': etag } } })
  t.equal(unchanged.response.status, 304)
})

t.test('writes past the rate limit answer 429 with retry-after and change nothing', async (t) => {
  // A replica of its own with a limit of 2 writes per operation, counted under its own keys.
  const limited = await buildTestApp(t, {
    stores: { ...stores, keyPrefix: `${stores.keyPrefix}:limited` },
    env: { RATE_LIMIT_MAX: '2', ADMIN_TOKEN: MODERATOR_TOKEN },
  })
  const limitedUrl = await limited.listen({ port: 0, host: '127.0.0.1' })
  const api = client(t, limitedUrl)
  const moderator = client(t, limitedUrl)
  moderator.use(bearerToken(MODERATOR_TOKEN))
  const messagesBefore = await countMessages(app)
  for (const expected of [200, 200, 429]) {
    t.equal((await api.POST('/api/visits', { body: {} })).response.status, expected)
  }
  for (const expected of [201, 201, 429]) {
    t.equal(
      (await api.POST('/api/messages', { body: { content: 'within the limit' } })).response.status,
      expected,
    )
  }
  const refused = await api.POST('/api/messages', { body: { content: 'one too many' } })
  t.equal(refused.error?.code, 'RATE_LIMITED')
  t.ok(Number(refused.response.headers.get('retry-after')) >= 1, 'says how long to wait')
  t.equal(await countMessages(app), messagesBefore + 2, 'the refused writes stored nothing')
  t.same((await api.GET('/api/visits')).data, { count: 2 }, 'nor counted')
  const absent = { params: { path: { id: 2_147_483_647 } } }
  for (const expected of [404, 404, 429]) {
    t.equal((await moderator.DELETE('/api/messages/{id}', absent)).response.status, expected)
  }
})

t.test('reads past the read limit answer 429 with retry-after', async (t) => {
  const limited = await buildTestApp(t, {
    stores: { ...stores, keyPrefix: `${stores.keyPrefix}:read-limited` },
    env: { RATE_LIMIT_READ_MAX: '1' },
  })
  const api = client(t, await limited.listen({ port: 0, host: '127.0.0.1' }))
  const reads = [
    () => api.GET('/api/visits'),
    () => api.GET('/api/messages'),
    () => api.GET('/api/messages/{id}', { params: { path: { id: 2_147_483_647 } } }),
    () => api.GET('/api/status'),
  ]
  for (const read of reads) {
    t.not((await read()).response.status, 429, 'the first is within the budget')
    const refused = await read()
    t.equal(refused.error?.code, 'RATE_LIMITED')
    t.ok(Number(refused.response.headers.get('retry-after')) >= 1)
  }
})

t.test('with Postgres away, message operations answer 503', async (t) => {
  const api = client(t)
  postgres.cut()
  t.teardown(() => postgres.restore())
  t.equal((await api.POST('/api/messages', { body: { content: 'lost' } })).response.status, 503)
  t.equal((await api.GET('/api/messages', { params: { query: { limit: 99 } } })).response.status, 503)
  t.equal((await api.GET('/api/messages/{id}', { params: { path: { id: 1 } } })).response.status, 503)
  const moderator = client(t)
  moderator.use(bearerToken(MODERATOR_TOKEN))
  t.equal(
    (await moderator.DELETE('/api/messages/{id}', { params: { path: { id: 1 } } })).response.status,
    503,
  )
  const ready = await api.GET('/health/ready')
  t.equal(failedChecks(ready.error), 'postgres')
  postgres.restore()
  t.ok(await untilReady(app), 'ready again once Postgres is back')
})

t.test('readiness turns 503 while draining', async (t) => {
  const api = client(t)
  app.startDraining()
  const ready = await api.GET('/health/ready')
  t.equal(ready.error?.code, 'DRAINING')
})

t.test('every documented status was seen through the client, bar 500', async (t) => {
  // 500 means a bug: nothing here can make the app answer it on purpose.
  for (const op of operations) {
    const statuses = [...(seen.get(op.operationId) ?? [])].map(String).sort()
    t.same(statuses, op.statuses.filter((status) => status !== '500').sort(), op.operationId)
  }
})
