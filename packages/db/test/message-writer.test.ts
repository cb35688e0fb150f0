import pg from 'pg'
import t, { type Test } from 'tap'
import {
  createDatabase,
  createMessageWriter,
  deleteExpiredIdempotencyKeys,
  findIdempotentResult,
  getMessage,
  isIdempotencyKeyConflict,
  readBoardRevision,
  WriteQueueFullError,
} from '../src/index.ts'
import { migratedDatabase } from './helpers.ts'

/** A migrated database of the test's own, and a pool on it counting the batched INSERTs. */
async function countingDatabase(t: Test) {
  const { url, pool } = await migratedDatabase(t)
  const counted = new pg.Pool({ connectionString: url, max: 4 })
  t.teardown(() => counted.end())
  const stats = { inserts: 0, rows: [] as number[], inFlight: 0, mostInFlight: 0 }
  const query = counted.query.bind(counted) as (...args: unknown[]) => Promise<unknown>
  counted.query = ((...args: unknown[]) => {
    const config = args[0] as { name?: string; values?: unknown[] } | undefined
    if (!config?.name?.startsWith('messages_insert_batch_')) return query(...args)
    stats.inserts++
    stats.rows.push((config.values?.[0] as unknown[] | undefined)?.length ?? 0)
    stats.mostInFlight = Math.max(stats.mostInFlight, ++stats.inFlight)
    return query(...args).finally(() => stats.inFlight--)
  }) as typeof counted.query
  return { db: createDatabase(counted), pool, stats }
}

t.test('concurrent writers each get their own committed row, in a few INSERTs', async (t) => {
  const { db, pool, stats } = await countingDatabase(t)
  const write = createMessageWriter(db)
  const contents = Array.from({ length: 50 }, (_, i) => `writer ${i}`)
  const committed: Promise<unknown>[] = []
  const messages = await Promise.all(
    contents.map((content) =>
      write({ content }).then(({ message }) => {
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
  const { db } = await countingDatabase(t)
  const write = createMessageWriter(db)
  const results = await Promise.allSettled(
    ['fine 1', 'fine 2', '', 'fine 3', 'fine 4'].map((content) => write({ content })),
  )
  t.same(
    results.map((result) => result.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
  )
  t.match((results[2] as PromiseRejectedResult).reason, { code: '23514' }, 'the CHECK constraint')
  for (const result of results) {
    if (result.status === 'fulfilled') t.ok(await getMessage(db, result.value.message.id))
  }
})

t.test('maxBatch bounds the rows per INSERT; 1 turns batching off', async (t) => {
  const { db, stats } = await countingDatabase(t)
  const write = createMessageWriter(db, { maxBatch: 1 })
  const written = await Promise.all(Array.from({ length: 10 }, (_, i) => write({ content: `single ${i}` })))
  t.same(
    written.map(({ message }) => message.content),
    Array.from({ length: 10 }, (_, i) => `single ${i}`),
  )
  t.equal(stats.inserts, 10)
  t.ok(stats.rows.every((rows) => rows === 1))
})

t.test('a connection failure fails every caller of the batch', async (t) => {
  const broken = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 })
  t.teardown(() => broken.end())
  const write = createMessageWriter(createDatabase(broken))
  const results = await Promise.allSettled([write({ content: 'a' }), write({ content: 'b' })])
  t.ok(results.every((result) => result.status === 'rejected'))
})

t.test('each write answers with a board revision that already counts it', async (t) => {
  const { db, pool } = await countingDatabase(t)
  const write = createMessageWriter(db)
  const before = await readBoardRevision(db)
  const written = await Promise.all(Array.from({ length: 20 }, (_, i) => write({ content: `rev ${i}` })))
  for (const { revision } of written) t.ok((revision ?? 0) > before, `revision ${revision} > ${before}`)
  await pool.query("insert into messages (content) values ('by hand, outside the writer')")
  const after = await readBoardRevision(db)
  t.ok(after > Math.max(...written.map(({ revision }) => revision ?? 0)), 'any change bumps it, by trigger')
})

t.test('an idempotency record commits with its message, and a reused key fails alone', async (t) => {
  const { db, pool } = await countingDatabase(t)
  // One INSERT at a time, so which of the two uses of k1 comes first is decided.
  const write = createMessageWriter(db, { concurrency: 1 })
  const record = (key: string) => ({ client: '10.0.0.1', key, fingerprint: `fp-${key}` })
  const results = await Promise.allSettled([
    write({ content: 'first', idempotency: record('k1') }),
    write({ content: 'no key' }),
    write({ content: 'same key again', idempotency: record('k1') }),
    write({ content: 'second', idempotency: record('k2') }),
  ])
  t.same(
    results.map((result) => result.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
  )
  t.ok(
    isIdempotencyKeyConflict((results[2] as PromiseRejectedResult).reason),
    'the reused key: a key conflict',
  )
  const stored = await pool.query('select key, message_id from idempotency_keys order by key')
  const ids = results.map((result) => (result.status === 'fulfilled' ? result.value.message.id : undefined))
  t.same(stored.rows, [
    { key: 'k1', message_id: ids[0] },
    { key: 'k2', message_id: ids[3] },
  ])
  const found = await findIdempotentResult(db, { client: '10.0.0.1', key: 'k1', retentionMs: 60_000 })
  t.match(found, { fingerprint: 'fp-k1', message: { id: ids[0], content: 'first', createdAt: Date } })
  t.equal(
    await findIdempotentResult(db, { client: '10.0.0.2', key: 'k1', retentionMs: 60_000 }),
    undefined,
    'per client',
  )
  t.equal(
    await findIdempotentResult(db, { client: '10.0.0.1', key: 'k1', retentionMs: 0 }),
    undefined,
    'past the retention a key is forgotten',
  )
  t.equal(await deleteExpiredIdempotencyKeys(db, { retentionMs: 0 }), 2, 'and removed')
})

t.test('a full queue refuses a write at once and writes nothing for it', async (t) => {
  const { db, pool } = await countingDatabase(t)
  const write = createMessageWriter(db, { maxBatch: 1, concurrency: 1, queueMax: 3 })
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => write({ content: `q ${i}` })))
  t.same(
    results.map((result) => result.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected'],
    'one in flight, three waiting, the rest refused',
  )
  t.ok((results[4] as PromiseRejectedResult).reason instanceof WriteQueueFullError)
  const { rows } = await pool.query('select count(*)::int as n from messages')
  t.equal(rows[0].n, 4)
})

t.test('concurrency bounds the INSERTs in flight', async (t) => {
  const { db, stats } = await countingDatabase(t)
  const write = createMessageWriter(db, { maxBatch: 5, concurrency: 3 })
  await Promise.all(Array.from({ length: 40 }, (_, i) => write({ content: `c ${i}` })))
  t.ok(
    stats.rows.every((rows) => rows <= 5),
    `batches of at most 5 (${stats.rows.join(', ')})`,
  )
  t.ok(stats.inserts >= 8, `${stats.inserts} INSERTs for 40 rows`)
  t.equal(stats.mostInFlight, 3, 'three at a time, no more')
})
