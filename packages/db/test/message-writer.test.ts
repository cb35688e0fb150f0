import { usePostgres } from '@app/testing'
import pg from 'pg'
import t, { type Test } from 'tap'
import { createDatabase, createMessageWriter, getMessage, runMigrations } from '../src/index.ts'

const url = await usePostgres(t)
const pool = new pg.Pool({ connectionString: url, max: 4 })
t.teardown(() => pool.end())
await runMigrations(pool)

/** The real pool, counting the batched INSERTs sent through it. */
function countingDatabase(t: Test) {
  const counted = new pg.Pool({ connectionString: url, max: 4 })
  t.teardown(() => counted.end())
  const stats = { inserts: 0, rows: [] as number[] }
  const query = counted.query.bind(counted) as (...args: unknown[]) => unknown
  counted.query = ((...args: unknown[]) => {
    const config = args[0] as { name?: string; values?: unknown[] } | undefined
    if (config?.name?.startsWith('messages_insert_batch_')) {
      stats.inserts++
      stats.rows.push((config.values?.[0] as unknown[] | undefined)?.length ?? 0)
    }
    return query(...args)
  }) as typeof counted.query
  return { db: createDatabase(counted), stats }
}

t.test('concurrent writers each get their own committed row, in a few INSERTs', async (t) => {
  const { db, stats } = countingDatabase(t)
  const write = createMessageWriter(db)
  const contents = Array.from({ length: 50 }, (_, i) => `writer ${i}`)
  const committed: Promise<unknown>[] = []
  const messages = await Promise.all(
    contents.map((content) =>
      write(content).then((message) => {
        // Answered only once committed: another connection sees the row at once.
        committed.push(
          pool
            .query('select content from messages where id = $1', [message.id])
            .then(({ rows }) => t.equal(rows[0]?.content, content, `row ${message.id} is visible`)),
        )
        return message
      }),
    ),
  )
  await Promise.all(committed)
  t.same(
    messages.map((message) => message.content),
    contents,
    'each caller got the row with its own content',
  )
  t.equal(new Set(messages.map((message) => message.id)).size, 50, 'fifty distinct rows')
  t.ok(stats.inserts < 50, `50 messages in ${stats.inserts} INSERTs (${stats.rows.join(', ')} rows)`)
  t.same(await getMessage(db, messages[7]?.id ?? 0), messages[7])
})

t.test('a row Postgres refuses fails alone; the rest of its batch is written', async (t) => {
  const { db } = countingDatabase(t)
  const write = createMessageWriter(db)
  const results = await Promise.allSettled(['fine 1', 'fine 2', '', 'fine 3', 'fine 4'].map(write))
  t.same(
    results.map((result) => result.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
  )
  t.match((results[2] as PromiseRejectedResult).reason, { code: '23514' }, 'the CHECK constraint')
  for (const result of results) {
    if (result.status === 'fulfilled') t.ok(await getMessage(db, result.value.id))
  }
})

t.test('maxBatch bounds the rows per INSERT; 1 turns batching off', async (t) => {
  const { db, stats } = countingDatabase(t)
  const write = createMessageWriter(db, { maxBatch: 1 })
  const written = await Promise.all(Array.from({ length: 10 }, (_, i) => write(`single ${i}`)))
  t.same(
    written.map((message) => message.content),
    Array.from({ length: 10 }, (_, i) => `single ${i}`),
  )
  t.equal(stats.inserts, 10)
  t.ok(stats.rows.every((rows) => rows === 1))
})

t.test('a connection failure fails every caller of the batch', async (t) => {
  const broken = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 })
  t.teardown(() => broken.end())
  const write = createMessageWriter(createDatabase(broken))
  const results = await Promise.allSettled([write('a'), write('b')])
  t.ok(results.every((result) => result.status === 'rejected'))
})
