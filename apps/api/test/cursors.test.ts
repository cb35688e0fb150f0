import t from 'tap'
import { buildTestApp, openBoard } from './helpers/app.ts'

const tamper = (cursor: string) => {
  const [payload = '', tag = ''] = cursor.split('.')
  const flipped = payload.at(-1) === 'A' ? 'B' : 'A'
  return `${payload.slice(0, -1)}${flipped}.${tag}`
}

t.test('only cursors the API issued are accepted; a forged one is 400 and caches nothing', async (t) => {
  const board = await openBoard(t)
  for (let i = 0; i < 5; i++) await board.post(`message ${i}`)
  const first = (await board.list('?limit=2')).json()
  t.match(first.nextCursor, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/, 'a signed cursor')
  t.equal((await board.list(`?limit=2&cursor=${first.nextCursor}`)).statusCode, 200)

  const entriesBefore = board.app.cache.stats().local.entries
  const [payload] = first.nextCursor.split('.')
  for (const [what, forged] of [
    ['a changed payload', tamper(first.nextCursor)],
    ['another tag', `${payload}.${'A'.repeat(22)}`],
    ['no tag (the old, unsigned form)', payload],
  ]) {
    const response = await board.list(`?limit=2&cursor=${forged}`)
    t.equal(response.statusCode, 400, what)
    t.match(response.json(), { code: /^(INVALID_CURSOR|VALIDATION_FAILED)$/ }, what)
  }
  t.equal(board.app.cache.stats().local.entries, entriesBefore, 'no page was cached for a forged cursor')
})

t.test('replicas that share CURSOR_SECRET accept each other’s cursors; another key does not', async (t) => {
  const board = await openBoard(t)
  for (let i = 0; i < 3; i++) await board.post(`message ${i}`)
  const { nextCursor } = (await board.list('?limit=1')).json()
  const replica = await buildTestApp(t, { stores: board.stores })
  const url = `/api/messages?limit=1&cursor=${nextCursor}`
  t.equal((await replica.inject({ url })).statusCode, 200)
  const other = await buildTestApp(t, {
    stores: board.stores,
    env: { CURSOR_SECRET: 'another deployment, another key!!' },
  })
  const refused = await other.inject({ url })
  t.equal(refused.statusCode, 400)
  t.equal(refused.json().code, 'INVALID_CURSOR')
})
