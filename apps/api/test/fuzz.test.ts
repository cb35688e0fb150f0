import fc, { type Arbitrary } from 'fast-check'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { contractViolations, operations } from './helpers/contract.ts'
import * as requests from './helpers/fuzz-requests.ts'

// Property-based contract test. For every operation, RUNS generated requests,
// valid and mutated (see helpers/fuzz-requests.ts), go through inject() against
// real Postgres and Redis. Each one must: not be a 5xx, match openapi.json,
// get the status its input deserves, and change exactly what it should —
// nothing at all when it is refused.
const RUNS = 500

// One app and one seeded board for the file: every generated request is
// checked against the state just before it, so no test relies on another's.
// In production mode: its errors are what the public sees.
const app = await buildTestApp(t, {
  env: {
    NODE_ENV: 'production',
    DATABASE_MIGRATE_ON_START: 'true',
    ADMIN_TOKEN: requests.FUZZ_ADMIN_TOKEN,
    // A contract test, not a timeout test: a loaded machine must not turn into 503s here.
    REDIS_COMMAND_TIMEOUT_MS: '5000',
  },
})

interface State {
  messages: number
  lastId: number
  visits: number
}

async function state(): Promise<State> {
  const { rows } = await app.pg.query<{ count: number; last: number }>(
    'select count(*)::int as count, coalesce(max(id), 0) as last from messages',
  )
  return {
    messages: rows[0]?.count ?? -1,
    lastId: rows[0]?.last ?? -1,
    visits: await app.cache.readCounter('visits'),
  }
}

// Rows to read and page through, and cursors the API itself issued.
for (let i = 0; i < 30; i++) {
  await app.inject({ method: 'POST', url: '/api/messages', payload: { content: `seed ${i}` } })
}
const existingIds = (await app.pg.query<{ id: number }>('select id from messages')).rows.map((row) => row.id)
// Others only deleteMessage may remove, so getMessage's keep existing.
const deletableIds: number[] = []
for (let i = 0; i < 20; i++) {
  const posted = await app.inject({ method: 'POST', url: '/api/messages', payload: { content: `spam ${i}` } })
  deletableIds.push(posted.json().id)
}
const realCursors: string[] = []
for (const limit of [1, 3, 7]) {
  let cursor: string | null = null
  do {
    const page: { nextCursor: string | null } = (
      await app.inject({
        method: 'GET',
        url: `/api/messages?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      })
    ).json()
    cursor = page.nextCursor
    if (cursor) realCursors.push(cursor)
  } while (cursor)
}

const cases: Record<string, Arbitrary<requests.FuzzCase>> = {
  createMessage: requests.createMessageRequests,
  listMessages: requests.listMessagesRequests(realCursors),
  getMessage: requests.getMessageRequests(existingIds),
  recordVisit: requests.recordVisitRequests,
  getVisits: requests.getVisitsRequests,
  getStatus: requests.getStatusRequests,
  getLiveness: requests.getLivenessRequests,
  getReadiness: requests.getReadinessRequests,
  deleteMessage: requests.deleteMessageRequests(deletableIds),
}

/** What an error body must never show the public: code, queries, driver text, paths. */
const LEAK =
  /\bat \S+ \(|\.[cm]?[jt]s:\d+|node_modules|\/app\/|\b(select|insert|delete|update)\b.+\b(from|into|set)\b|relation "|column "|syntax error|SQLSTATE|ECONN|drizzle|ioredis|\bpg\b/i

t.test('every operation is fuzzed', async (t) => {
  t.same(Object.keys(cases).sort(), operations.map((op) => op.operationId).sort())
})

for (const [operationId, arbitrary] of Object.entries(cases)) {
  t.test(`${operationId}: ${RUNS} generated requests keep the contract`, async (t) => {
    const statuses: Record<number, number> = {}
    /** Ids a moderator's DELETE removed: a 204 for each once, then 404s. */
    const deleted = new Set<string>()
    let current = await state()

    const property = fc.asyncProperty(arbitrary, async ({ request, expect }) => {
      const response = await app.inject(request)
      const before = current
      current = await state()
      const status = response.statusCode
      statuses[status] = (statuses[status] ?? 0) + 1
      const fail = (why: string) => {
        throw new Error(`${why}\n  got ${status} ${response.body.slice(0, 300)}`)
      }

      if (status >= 500) fail('a 5xx')
      if (status >= 400 && LEAK.test(response.body)) fail('an error body shows internals')
      const violations = contractViolations(operationId, {
        status,
        headers: response.headers,
        body: response.body,
      })
      if (violations.length > 0) fail(`a response the spec does not document: ${violations.join('; ')}`)
      if (expect && !expect.includes(status)) fail(`expected ${expect.join(' or ')}`)

      const expected = { ...before }
      if (status < 300 && operationId === 'createMessage') {
        const created = response.json() as { id: number; content: string }
        if (created.content !== JSON.parse(String(request.payload)).content)
          fail('stored other content than sent')
        Object.assign(expected, { messages: before.messages + 1, lastId: created.id })
      }
      if (operationId === 'deleteMessage') {
        const id = String(request.url).split('/').pop() as string
        const byModerator = request.headers?.authorization === `Bearer ${requests.FUZZ_ADMIN_TOKEN}`
        if (status === 204 && deleted.has(id)) fail(`message ${id} deleted twice`)
        if (status === 404 && byModerator && deletableIds.includes(Number(id)) && !deleted.has(id))
          fail(`message ${id} not found before it was deleted`)
        if (status === 204) {
          deleted.add(id)
          const { rows } = await app.pg.query<{ last: number }>(
            'select coalesce(max(id), 0) as last from messages',
          )
          Object.assign(expected, { messages: before.messages - 1, lastId: rows[0]?.last })
        }
      }
      if (status < 300 && operationId === 'recordVisit') {
        expected.visits = before.visits + 1
        if ((response.json() as { count: number }).count !== expected.visits)
          fail('the count is not the new total')
      }
      if (JSON.stringify(current) !== JSON.stringify(expected)) {
        fail(`state went from ${JSON.stringify(before)} to ${JSON.stringify(current)}`)
      }
    })
    await fc.assert(property, { numRuns: RUNS })

    const total = Object.values(statuses).reduce((sum, n) => sum + n, 0)
    const rejected = Object.entries(statuses).reduce((sum, [s, n]) => sum + (Number(s) >= 400 ? n : 0), 0)
    t.equal(total, RUNS, `${RUNS} requests, none failing`)
    t.comment(`${operationId} statuses: ${JSON.stringify(statuses)}`)
    // Operations without input accept everything (expect enforces that);
    // the others must have been exercised on both sides.
    if (
      (rejected > 0 && operationId !== 'deleteMessage') ||
      ['createMessage', 'recordVisit', 'listMessages', 'getMessage'].includes(operationId)
    ) {
      t.ok(rejected >= RUNS / 10 && total - rejected >= RUNS / 10, 'a tenth or more accepted, and refused')
    }
    // Each message a moderator removes goes once (checked per request above);
    // which of them a run picks is random, so only that some went is asserted.
    if (operationId === 'deleteMessage') {
      t.equal(statuses[204] ?? 0, deleted.size, 'each deleted at most once')
      t.ok(deleted.size > 0, `${deleted.size} of ${deletableIds.length} deletable messages deleted`)
    }
  })
}
