import t from 'tap'
import { countMessages, countQueries, openBoard } from './helpers/app.ts'
import { invalidMessageRequests } from './helpers/invalid-message-requests.ts'

// Writing, reading and paging messages, and refusing what the contract refuses.

t.test('POST stores a message and answers 201 with its Location', async (t) => {
  const { app, post } = await openBoard(t)
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
  const { post } = await openBoard(t)
  const content = `emoji 😀, CJK 𠜎, combining é, RTL שלום ${'😀'.repeat(900)}`
  const response = await post(content)
  t.equal(response.statusCode, 201)
  t.equal(response.json().content, content)
  t.equal((await post('😀'.repeat(1001))).statusCode, 400, 'length counts code points, as Postgres does')
})

t.test('an unknown id is a 404 problem', async (t) => {
  const { app } = await openBoard(t)
  const response = await app.inject({ method: 'GET', url: '/api/messages/2147483647' })
  t.equal(response.statusCode, 404)
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(response.json(), { status: 404, code: 'MESSAGE_NOT_FOUND', detail: /2147483647/ })
})

t.test('concurrent posts are committed together, each answered with its own row', async (t) => {
  const { app, post } = await openBoard(t)
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
  const { app, list } = await openBoard(t)
  // Inserted in one statement, many rows share created_at: the id breaks ties.
  await app.pg.query("insert into messages (content) select 'bulk ' || n from generate_series(1, 100) as n")
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
  const { app } = await openBoard(t)
  const before = await countMessages(app)
  for (const { name, request, status, field } of invalidMessageRequests) {
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
