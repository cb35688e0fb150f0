import { usePostgres } from '@app/testing'
import pg from 'pg'
import t from 'tap'
import {
  createDatabase,
  createMessage,
  decodeCursor,
  encodeCursor,
  getMessage,
  listMessages,
  type MessageCursor,
  runMigrations,
} from '../src/index.ts'

const pool = new pg.Pool({ connectionString: await usePostgres(t), max: 4 })
t.teardown(() => pool.end())
await runMigrations(pool)
const db = createDatabase(pool)

t.test('createMessage returns the stored row; getMessage reads it back', async (t) => {
  const created = await createMessage(db, 'hello')
  t.match(created, { id: Number, content: 'hello', createdAt: Date })
  t.same(await getMessage(db, created.id), created)
  t.equal(await getMessage(db, 2_147_483_647), undefined)
})

t.test('keyset pages cover every row once, newest first, including rows sharing created_at', async (t) => {
  await pool.query("insert into messages (content) select 'bulk ' || n from generate_series(1, 23) as n")
  for (let i = 0; i < 5; i++) await createMessage(db, `single ${i}`)
  const expected = (await pool.query('select id from messages order by created_at desc, id desc')).rows.map(
    (row) => row.id as number,
  )
  const seen: number[] = []
  let cursor: MessageCursor | undefined
  for (;;) {
    const page = await listMessages(db, { limit: 4, cursor })
    seen.push(...page.items.map((item) => item.id))
    if (page.nextCursor === null) break
    cursor = decodeCursor(page.nextCursor)
  }
  t.same(seen, expected)
})

t.test('the last page has no next cursor', async (t) => {
  const all = await listMessages(db, { limit: 100 })
  t.equal(all.nextCursor, null)
  const exact = await listMessages(db, { limit: all.items.length })
  t.equal(exact.nextCursor, null, 'a page that ends exactly at the last row')
})

t.test('cursors round-trip and anything else decodes to undefined', async (t) => {
  const cursor = { createdAt: new Date('2026-11-23T12:00:00.123Z'), id: 42 }
  t.same(decodeCursor(encodeCursor(cursor)), cursor)
  for (const bad of [
    '',
    'abc',
    Buffer.from('1.2.3').toString('base64url'),
    Buffer.from('-1.5').toString('base64url'),
    Buffer.from('1795435200000.0').toString('base64url'),
    Buffer.from('1795435200000.99999999999').toString('base64url'),
    Buffer.from("1795435200000.1' or 1=1").toString('base64url'),
  ]) {
    t.equal(decodeCursor(bad), undefined, `rejects ${JSON.stringify(bad)}`)
  }
})
