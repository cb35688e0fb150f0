import pg from 'pg'
import t from 'tap'
import { createMessage, MESSAGE_MAX_LENGTH, runMigrations } from '../src/index.ts'
import { fileServers, migratedDatabase } from './helpers.ts'

t.test('replicas starting together apply each migration exactly once', async (t) => {
  const url = await fileServers().database(t)
  // Separate pools, as separate processes would have.
  const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: url, max: 2 }))
  t.teardown(() => Promise.all(pools.map((pool) => pool.end())))
  await Promise.all(pools.map((pool) => runMigrations(pool)))

  const [pool] = pools as [pg.Pool]
  const applied = await pool.query('select hash from drizzle.__drizzle_migrations')
  const journal = await import('../migrations/meta/_journal.json', { with: { type: 'json' } })
  t.equal(applied.rowCount, journal.default.entries.length, 'one row per migration')
  const table = await pool.query("select to_regclass('public.messages') as name")
  t.equal(table.rows[0].name, 'messages')

  await runMigrations(pool)
  t.equal(
    (await pool.query('select count(*)::int as n from drizzle.__drizzle_migrations')).rows[0].n,
    applied.rowCount,
  )
})

t.test('the CHECK constraint enforces 1..1000 characters even without the API', async (t) => {
  const { db } = await migratedDatabase(t)
  for (const content of ['', 'x'.repeat(MESSAGE_MAX_LENGTH + 1)]) {
    await t.rejects(
      createMessage(db, content),
      { cause: { code: '23514' } },
      `${content.length} chars refused`,
    )
  }
  const longest = await createMessage(db, '😀'.repeat(MESSAGE_MAX_LENGTH))
  t.equal(longest.content.length, MESSAGE_MAX_LENGTH * 2, '1000 characters, counted as code points')
})
