import type { InjectOptions } from 'fastify'
import t from 'tap'
import { buildTestApp, countMessages, countQueries, useBackends } from './helpers/app.ts'

const backends = await useBackends(t)
const app = await buildTestApp(t, backends)

const post = (content: unknown) => app.inject({ method: 'POST', url: '/api/messages', payload: { content } })
const list = (query = '') => app.inject({ method: 'GET', url: `/api/messages${query}` })

t.test('POST stores a message and answers 201 with its Location', async (t) => {
  const response = await post('Hello, board')
  t.equal(response.statusCode, 201)
  const message = response.json()
  t.match(message, { id: Number, content: 'Hello, board', createdAt: String })
  t.ok(Date.parse(message.createdAt), 'createdAt is a date-time')
  t.equal(response.headers.location, `/api/messages/${message.id}`)

  const fetched = await app.inject({ method: 'GET', url: response.headers.location as string })
  t.equal(fetched.statusCode, 200)
  t.same(fetched.json(), message)
})

t.test('content outside the Basic Multilingual Plane is stored as sent', async (t) => {
  const content = `emoji 😀, CJK 𠜎, combining é, RTL שלום ${'😀'.repeat(900)}`
  const response = await post(content)
  t.equal(response.statusCode, 201)
  t.equal(response.json().content, content)
  t.equal((await post('😀'.repeat(1001))).statusCode, 400, 'length counts code points, as Postgres does')
})

t.test('an unknown id is a 404 problem', async (t) => {
  const response = await app.inject({ method: 'GET', url: '/api/messages/2147483647' })
  t.equal(response.statusCode, 404)
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(response.json(), { status: 404, code: 'MESSAGE_NOT_FOUND', detail: /2147483647/ })
})

t.test('the list is served from the cache until a write invalidates it', async (t) => {
  const first = await list()
  t.equal(first.headers['x-cache'], 'miss')
  const second = await list()
  t.equal(second.headers['x-cache'], 'hit')
  t.same(second.json(), first.json())

  const created = (await post('written after caching')).json()
  const third = await list()
  t.equal(third.headers['x-cache'], 'miss', 'a write makes the next read a miss')
  t.same(third.json().items[0], created, 'and the miss contains the new message')
  t.equal((await list()).headers['x-cache'], 'hit')
})

t.test('a write through one replica is seen through another', async (t) => {
  const replica = await buildTestApp(t, backends)
  await replica.inject({ method: 'GET', url: '/api/messages' })
  t.equal((await replica.inject({ method: 'GET', url: '/api/messages' })).headers['x-cache'], 'hit')
  const created = (await post('from replica one')).json()
  const seen = await replica.inject({ method: 'GET', url: '/api/messages' })
  t.same(seen.json().items[0], created)
})

t.test('read-your-writes across replicas, each with its in-process cache tier', async (t) => {
  const replicas = [app, await buildTestApp(t, backends)]
  for (let i = 0; i < 10; i++) {
    const [writer, reader] = i % 2 ? replicas : [...replicas].reverse()
    if (!writer || !reader) throw new Error('two replicas')
    // Both replicas hold the first page in process before the write.
    await Promise.all(replicas.map((replica) => replica.inject({ method: 'GET', url: '/api/messages' })))
    const created = (
      await writer.inject({ method: 'POST', url: '/api/messages', payload: { content: `ryw ${i}` } })
    ).json()
    const seen = await reader.inject({ method: 'GET', url: '/api/messages' })
    t.same(seen.json().items[0], created, `write ${i} is in the next read through the other replica`)
  }
})

t.test('ETag and If-None-Match: 304 while the page is current, without Postgres', async (t) => {
  const page = await list('?limit=5')
  const etag = page.headers.etag as string
  t.match(etag, /^"[A-Za-z0-9_-]{22}"$/)
  const selects = countQueries(app, /^select/i)
  const conditional = (tag: string) =>
    app.inject({ method: 'GET', url: '/api/messages?limit=5', headers: { 'if-none-match': tag } })

  const unchanged = await conditional(etag)
  t.equal(unchanged.statusCode, 304)
  t.equal(unchanged.body, '', 'no body')
  t.equal(unchanged.headers.etag, etag)
  t.equal((await conditional(`W/${etag}, "other"`)).statusCode, 304, 'weak comparison, any tag of a list')
  t.equal((await conditional('*')).statusCode, 304)
  t.equal((await conditional('"stale"')).statusCode, 200, 'another tag: the page')
  t.equal(selects.count, 0, 'no query reached Postgres')

  await post('changes the first page')
  const changed = await conditional(etag)
  t.equal(changed.statusCode, 200, 'after a write the old tag is stale')
  t.not(changed.headers.etag, etag)
  t.equal(changed.json().items[0].content, 'changes the first page')
})

t.test('single-flight: a cold page under load costs one query, not fifty', async (t) => {
  await post('makes every page cold')
  const one = countQueries(app, /^select/i)
  const responses = await Promise.all(
    Array.from({ length: 50 }, () => app.inject({ method: 'GET', url: '/api/messages?limit=3' })),
  )
  t.ok(responses.every((response) => response.statusCode === 200))
  t.equal(new Set(responses.map((response) => response.body)).size, 1, 'all fifty got the same page')
  t.equal(one.count, 1, 'fifty concurrent readers in one process, one query')

  const replica = await buildTestApp(t, backends)
  await post('cold again')
  const [here, there] = [countQueries(app, /^select/i), countQueries(replica, /^select/i)]
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      (i % 2 ? app : replica).inject({ method: 'GET', url: '/api/messages?limit=3' }),
    ),
  )
  t.equal(here.count + there.count, 1, 'fifty readers across two replicas, one query (Redis lock)')
})

t.test('concurrent posts are committed together, each answered with its own row', async (t) => {
  const inserts = countQueries(app, /^insert into messages/i)
  const contents = Array.from({ length: 50 }, (_, i) => `concurrent ${i}`)
  const responses = await Promise.all(contents.map((content) => post(content)))
  t.ok(responses.every((response) => response.statusCode === 201))
  t.same(
    responses.map((response) => response.json().content),
    contents,
    'each response carries the row its own request created',
  )
  const ids = responses.map((response) => response.json().id as number)
  t.equal(new Set(ids).size, 50)
  t.ok(inserts.count < 50, `50 posts, ${inserts.count} INSERT statements`)
  const stored = await app.pg.query('select count(*)::int as n from messages where id = any($1)', [ids])
  t.equal(stored.rows[0].n, 50)
})

t.test('pagination returns every message exactly once, newest first', async (t) => {
  // Inserted in one statement, many rows share created_at: the id breaks ties.
  await app.pg.query("insert into messages (content) select 'bulk ' || n from generate_series(1, 45) as n")
  const expected = (
    await app.pg.query<{ id: number }>('select id from messages order by created_at desc, id desc')
  ).rows.map((row) => row.id)

  const seen: number[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const response = await list(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`)
    t.equal(response.statusCode, 200)
    const page = response.json() as { items: { id: number }[]; nextCursor: string | null }
    t.ok(page.items.length <= 7)
    seen.push(...page.items.map((item) => item.id))
    cursor = page.nextCursor
    pages++
  } while (cursor)
  t.same(seen, expected)
  t.equal(new Set(seen).size, seen.length, 'no message twice')
  t.equal(pages, Math.ceil(expected.length / 7))
})

t.test('bad input gets its status as problem+json and writes nothing', async (t) => {
  const cases: { name: string; request: InjectOptions; status: number; field?: string }[] = [
    {
      name: 'empty content',
      request: { method: 'POST', url: '/api/messages', payload: { content: '' } },
      status: 400,
      field: 'content',
    },
    {
      name: 'content too long',
      request: { method: 'POST', url: '/api/messages', payload: { content: 'x'.repeat(1001) } },
      status: 400,
      field: 'content',
    },
    {
      name: 'content not a string',
      request: { method: 'POST', url: '/api/messages', payload: { content: 42 } },
      status: 400,
      field: 'content',
    },
    {
      name: 'content missing',
      request: { method: 'POST', url: '/api/messages', payload: {} },
      status: 400,
      field: 'content',
    },
    {
      name: 'property the schema forbids',
      request: { method: 'POST', url: '/api/messages', payload: { content: 'hi', author: 'me' } },
      status: 400,
      field: 'author',
    },
    {
      name: 'NUL in content',
      request: { method: 'POST', url: '/api/messages', payload: { content: 'a\u0000b' } },
      status: 400,
      field: 'content',
    },
    {
      name: 'lone surrogate in content',
      request: {
        method: 'POST',
        url: '/api/messages',
        headers: { 'content-type': 'application/json' },
        payload: '{"content":"a\\ud800b"}',
      },
      status: 400,
      field: 'content',
    },
    {
      name: 'body not JSON',
      request: {
        method: 'POST',
        url: '/api/messages',
        headers: { 'content-type': 'application/json' },
        payload: '{"content":',
      },
      status: 400,
    },
    {
      name: 'body too large',
      request: { method: 'POST', url: '/api/messages', payload: { content: 'x'.repeat(20_000) } },
      status: 413,
    },
    {
      name: 'wrong content type',
      request: {
        method: 'POST',
        url: '/api/messages',
        headers: { 'content-type': 'text/plain' },
        payload: 'hello',
      },
      status: 415,
    },
    {
      name: 'form content type',
      request: {
        method: 'POST',
        url: '/api/messages',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'content=hi',
      },
      status: 415,
    },
    {
      name: 'limit zero',
      request: { method: 'GET', url: '/api/messages?limit=0' },
      status: 400,
      field: 'limit',
    },
    {
      name: 'limit too big',
      request: { method: 'GET', url: '/api/messages?limit=101' },
      status: 400,
      field: 'limit',
    },
    {
      name: 'limit not a number',
      request: { method: 'GET', url: '/api/messages?limit=ten' },
      status: 400,
      field: 'limit',
    },
    // Ajv coerces these to ±Infinity, which its range checks skip.
    {
      name: 'limit Infinity',
      request: { method: 'GET', url: '/api/messages?limit=Infinity' },
      status: 400,
      field: 'limit',
    },
    {
      name: 'limit -Infinity',
      request: { method: 'GET', url: '/api/messages?limit=-Infinity' },
      status: 400,
      field: 'limit',
    },
    {
      name: 'limit 1e999',
      request: { method: 'GET', url: '/api/messages?limit=1e999' },
      status: 400,
      field: 'limit',
    },
    {
      name: 'id Infinity',
      request: { method: 'GET', url: '/api/messages/Infinity' },
      status: 400,
      field: 'id',
    },
    {
      name: 'forged cursor',
      request: { method: 'GET', url: '/api/messages?cursor=bm90LWEtY3Vyc29y' },
      status: 400,
      field: 'cursor',
    },
    {
      name: 'cursor with symbols',
      request: { method: 'GET', url: '/api/messages?cursor=%27%3B--' },
      status: 400,
      field: 'cursor',
    },
    {
      name: 'id not a number',
      request: { method: 'GET', url: '/api/messages/abc' },
      status: 400,
      field: 'id',
    },
    {
      name: 'id out of range',
      request: { method: 'GET', url: '/api/messages/2147483648' },
      status: 400,
      field: 'id',
    },
    // The router rejects these before any route runs: still problem+json.
    { name: 'id not percent-encoded', request: { method: 'GET', url: '/api/messages/%zz' }, status: 400 },
    {
      name: 'id longer than the router allows',
      request: { method: 'GET', url: `/api/messages/${'1'.repeat(101)}` },
      status: 414,
    },
    { name: 'unknown route', request: { method: 'GET', url: '/api/nothing-here' }, status: 404 },
    { name: 'unsupported method', request: { method: 'DELETE', url: '/api/messages' }, status: 404 },
  ]
  const before = await countMessages(app)
  for (const { name, request, status, field } of cases) {
    const response = await app.inject(request)
    t.equal(response.statusCode, status, `${name}: ${status}`)
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${name}: problem+json`)
    const problem = response.json()
    t.match(
      problem,
      { type: String, title: String, status, detail: String, instance: String },
      `${name}: RFC 9457 body`,
    )
    t.notOk('stack' in problem, `${name}: no stack trace`)
    if (field) t.match(problem.detail, `'${field}'`, `${name}: names the field`)
  }
  t.equal(await countMessages(app), before, 'nothing was written')
})
