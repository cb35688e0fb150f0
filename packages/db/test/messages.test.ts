import t from 'tap'
import {
  createMessage,
  deleteMessage,
  getMessage,
  listMessages,
  type MessageCursor,
  readBoardRevision,
} from '../src/index.ts'
import { migratedDatabase } from './helpers.ts'

t.test('createMessage returns the stored row; getMessage reads it back', async (t) => {
  const { db } = await migratedDatabase(t)
  const created = await createMessage(db, 'hello')
  t.match(created, { id: Number, content: 'hello', createdAt: Date })
  t.same(await getMessage(db, created.id), created)
  t.equal(await getMessage(db, 2_147_483_647), undefined)
})

t.test('keyset pages cover every row once, newest first, including rows sharing created_at', async (t) => {
  const { db, pool } = await migratedDatabase(t)
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
    if (page.next === null) break
    cursor = page.next
  }
  t.same(seen, expected)
})

t.test('the last page has no next cursor', async (t) => {
  const { db } = await migratedDatabase(t)
  for (let i = 0; i < 3; i++) await createMessage(db, `message ${i}`)
  const all = await listMessages(db, { limit: 100 })
  t.equal(all.next, null)
  const exact = await listMessages(db, { limit: all.items.length })
  t.equal(exact.next, null, 'a page that ends exactly at the last row')
})

t.test('deleteMessage removes one row and returns it with the revision after the delete', async (t) => {
  const { db } = await migratedDatabase(t)
  const kept = await createMessage(db, 'kept')
  const doomed = await createMessage(db, 'doomed')
  const before = await readBoardRevision(db)
  const { deleted, revision } = await deleteMessage(db, doomed.id)
  t.same(deleted, doomed)
  t.ok((revision ?? 0) > before, 'the delete raised the board revision (its cached pages are dropped)')
  t.equal(await getMessage(db, doomed.id), undefined)
  t.same(await getMessage(db, kept.id), kept)
  t.same(await deleteMessage(db, doomed.id), { deleted: undefined, revision: undefined }, 'twice: nothing')
})
