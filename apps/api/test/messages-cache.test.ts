import t from 'tap'
import { buildTestApp, countQueries, openBoard } from './helpers/app.ts'

// The list's cache: hits, invalidation on write, read-your-writes across
// replicas, ETags and single-flight.

t.test('the list is served from the cache until a write invalidates it', async (t) => {
  const { post, list } = await openBoard(t)
  const first = await list()
  t.equal(first.headers['x-cache'], 'miss')
  const second = await list()
  t.equal(second.headers['x-cache'], 'hit')
  t.same(second.json(), first.json())

  const small = await list('?limit=5')
  t.equal(small.headers['x-cache'], 'miss')
  const created = (await post('written after caching')).json()
  const third = await list()
  t.equal(third.headers['x-cache'], 'hit', 'the writer left the new first page behind')
  t.same(third.json().items[0], created, 'and it contains the new message')
  const otherPage = await list('?limit=5')
  t.equal(otherPage.headers['x-cache'], 'miss', 'every other page was dropped')
  t.same(otherPage.json().items[0], created)
})

t.test('the page a writer leaves has the bytes the list route writes on a miss', async (t) => {
  const { stores, post, list } = await openBoard(t)
  await post('one')
  await post('two, with "quotes", a \\ and ünïcödé')
  const published = await list()
  t.equal(published.headers['x-cache'], 'hit')
  const uncached = await buildTestApp(t, { stores, env: { MESSAGES_CACHE_TTL_SECONDS: '0' } })
  const loaded = await uncached.inject({ method: 'GET', url: '/api/messages' })
  t.equal(loaded.headers['x-cache'], 'miss')
  t.equal(published.body, loaded.body, 'same bytes')
  t.equal(published.headers.etag, loaded.headers.etag, 'so the same ETag')
  const next = published.json().nextCursor
  if (next !== null) {
    const page2 = await list(`?cursor=${encodeURIComponent(next)}`)
    t.equal(page2.statusCode, 200, 'its cursor is one this API issued')
  }
})

t.test('with CACHE_PUBLISH_FIRST_PAGE=false a write only drops the pages', async (t) => {
  const { stores } = await openBoard(t)
  const app = await buildTestApp(t, { stores, env: { CACHE_PUBLISH_FIRST_PAGE: 'false' } })
  await app.inject({ method: 'GET', url: '/api/messages' })
  const created = (
    await app.inject({ method: 'POST', url: '/api/messages', payload: { content: 'dropped only' } })
  ).json()
  const read = await app.inject({ method: 'GET', url: '/api/messages' })
  t.equal(read.headers['x-cache'], 'miss')
  t.same(read.json().items[0], created)
})

t.test('concurrent writes through two replicas: each is in the next read through either', async (t) => {
  const { app, stores } = await openBoard(t)
  const other = await buildTestApp(t, { stores })
  const replicas = [app, other]
  for (let round = 0; round < 5; round++) {
    await Promise.all(replicas.map((replica) => replica.inject({ method: 'GET', url: '/api/messages' })))
    const posted = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (replicas[i % 2] as typeof app).inject({
          method: 'POST',
          url: '/api/messages',
          payload: { content: `round ${round} write ${i}` },
        }),
      ),
    )
    const ids = posted.map((response) => response.json().id as number)
    for (const reader of replicas) {
      const seen = (await reader.inject({ method: 'GET', url: '/api/messages' }))
        .json()
        .items.map((item: { id: number }) => item.id)
      t.ok(
        ids.every((id) => seen.includes(id)),
        `round ${round}: all six acknowledged writes are listed`,
      )
    }
  }
})

t.test('a write through one replica is seen through another', async (t) => {
  const { stores, post } = await openBoard(t)
  const replica = await buildTestApp(t, { stores })
  await replica.inject({ method: 'GET', url: '/api/messages' })
  t.equal((await replica.inject({ method: 'GET', url: '/api/messages' })).headers['x-cache'], 'hit')
  const created = (await post('from replica one')).json()
  const seen = await replica.inject({ method: 'GET', url: '/api/messages' })
  t.same(seen.json().items[0], created)
})

t.test('read-your-writes across replicas, each with its in-process cache tier', async (t) => {
  const { app, stores } = await openBoard(t)
  const replicas = [app, await buildTestApp(t, { stores })]
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
  const { app, post, list } = await openBoard(t)
  const page = await list('?limit=5')
  const etag = page.headers.etag as string
  t.match(etag, /^"[A-Za-z0-9_-]{22}"$/)
  const selects = countQueries(app, /from "?messages"?\s/i)
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
  const { app, stores, post } = await openBoard(t)
  await post('makes every page cold')
  const one = countQueries(app, /from "?messages"?\s/i)
  const responses = await Promise.all(
    Array.from({ length: 50 }, () => app.inject({ method: 'GET', url: '/api/messages?limit=3' })),
  )
  t.ok(responses.every((response) => response.statusCode === 200))
  t.equal(new Set(responses.map((response) => response.body)).size, 1, 'all fifty got the same page')
  t.equal(one.count, 1, 'fifty concurrent readers in one process, one query')

  const replica = await buildTestApp(t, { stores })
  await post('cold again')
  const [here, there] = [
    countQueries(app, /from "?messages"?\s/i),
    countQueries(replica, /from "?messages"?\s/i),
  ]
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      (i % 2 ? app : replica).inject({ method: 'GET', url: '/api/messages?limit=3' }),
    ),
  )
  t.equal(here.count + there.count, 1, 'fifty readers across two replicas, one query (Redis lock)')
})
