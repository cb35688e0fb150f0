import { createMessageWriter } from '@app/db'
import { startTcpProxy, waitUntil } from '@app/testing'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { requestFingerprint } from '../src/idempotency.ts'
import { buildTestApp, useDataStores } from './helpers/app.ts'

// Read-your-writes across replicas when invalidations fail: a replica must
// never serve a page missing an acknowledged message for longer than one
// revision poll (CACHE_REVISION_POLL_MS), and an empty Redis must never bring
// an old page back. Two app instances share Postgres and Redis; each reaches
// Redis through a proxy of its own, so one can lose it while the other keeps it.
const POLL_MS = 200
const env = { CACHE_REVISION_POLL_MS: String(POLL_MS), REDIS_COMMAND_TIMEOUT_MS: '200' }

async function twoReplicas(t: Test) {
  const stores = await useDataStores(t)
  const writerRedis = await startTcpProxy(t, stores.redisUrl)
  const writer = await buildTestApp(t, { stores: { ...stores, redisUrl: writerRedis.url }, env })
  const reader = await buildTestApp(t, { stores, env })
  await Promise.all([writer.ready(), reader.ready()])
  return { stores, writer, reader, writerRedis }
}

const firstPage = async (app: FastifyInstance) =>
  (await app.inject({ method: 'GET', url: '/api/messages' })).json().items as { id: number }[]

/** How long until `reader` lists message `id` (or never, within `timeoutMs`). */
async function staleness(reader: FastifyInstance, id: number, timeoutMs = 3000): Promise<number> {
  const started = performance.now()
  const seen = await waitUntil(async () => (await firstPage(reader)).some((item) => item.id === id), {
    timeoutMs,
    intervalMs: 10,
  })
  return seen ? Math.round(performance.now() - started) : Number.POSITIVE_INFINITY
}

t.test(
  'a write whose invalidation never reached Redis is listed by the other replica within a poll',
  async (t) => {
    const { writer, reader, writerRedis } = await twoReplicas(t)
    await writer.inject({ method: 'POST', url: '/api/messages', payload: { content: 'warm' } })
    await firstPage(reader)
    await firstPage(reader) // the reader holds the page, in Redis and in process
    writerRedis.cut()
    const posted = await writer.inject({
      method: 'POST',
      url: '/api/messages',
      payload: { content: 'lost bump' },
    })
    t.equal(posted.statusCode, 201, 'the write is acknowledged without Redis')
    const ms = await staleness(reader, posted.json().id)
    t.ok(ms <= POLL_MS + 300, `the reader lists it after ${ms} ms (poll ${POLL_MS} ms)`)
    writerRedis.restore()
  },
)

t.test('a writer that died between its commit and its invalidation: listed within a poll', async (t) => {
  const { writer, reader } = await twoReplicas(t)
  await firstPage(reader)
  // The commit, and no invalidation after it: what a replica killed at that moment leaves.
  const { rows } = await writer.pg.query<{ id: number }>(
    "insert into messages (content) values ('committed by a dead writer') returning id",
  )
  await writer.close()
  const ms = await staleness(reader, rows[0]?.id as number)
  t.ok(ms <= POLL_MS + 300, `the surviving replica lists it after ${ms} ms`)
})

t.test('a retry answered with the stored result: the other replica lists the message at once', async (t) => {
  // No poll within the test: only the retry's own answer can bring the reader up to date.
  const stores = await useDataStores(t)
  const slowPoll = { ...env, CACHE_REVISION_POLL_MS: '60000' }
  const writer = await buildTestApp(t, { stores, env: slowPoll })
  const reader = await buildTestApp(t, { stores, env: slowPoll })
  await firstPage(reader)
  await firstPage(reader)
  // The first attempt committed, with its key, on a replica that died before answering or
  // touching the cache (the fault matrix's Postgres stall and restart leave such writes).
  const body = { content: 'committed, answer lost' }
  const key = 'lost-answer'
  await createMessageWriter(writer.db)({
    content: body.content,
    idempotency: { client: '127.0.0.1', key, fingerprint: requestFingerprint('createMessage', body) },
  })
  const retried = await writer.inject({
    method: 'POST',
    url: '/api/messages',
    headers: { 'idempotency-key': `"${key}"` },
    payload: body,
  })
  t.equal(retried.headers['idempotent-replayed'], 'true', 'the retry is answered from the stored result')
  t.ok(
    (await firstPage(reader)).some((item) => item.id === retried.json().id),
    'the reader lists the message on its next read',
  )
})

t.test('Redis restarted empty: no replica serves a page older than what it knew', async (t) => {
  const { stores, writer, reader } = await twoReplicas(t)
  const first = await writer.inject({ method: 'POST', url: '/api/messages', payload: { content: 'one' } })
  await firstPage(reader)
  const second = await writer.inject({ method: 'POST', url: '/api/messages', payload: { content: 'two' } })
  t.equal((await firstPage(reader))[0]?.id, second.json().id)
  // Every key of this test's prefix gone, as after a restart without its data.
  const redis = new Redis(stores.redisUrl)
  t.teardown(() => redis.disconnect())
  const stored = await redis.keys(`${stores.keyPrefix}:*`)
  if (stored.length > 0) await redis.del(...stored)
  for (let i = 0; i < 10; i++) {
    const ids = (await firstPage(reader)).map((item) => item.id)
    t.equal(ids[0], second.json().id, `read ${i}: still the newest message`)
    t.ok(ids.includes(first.json().id))
  }
  t.equal(
    await redis.get(`${stores.keyPrefix}:revision:messages`),
    String((await reader.pg.query('select revision from board_revision')).rows[0].revision),
    "the replicas wrote the board's revision back",
  )
})

t.test('across many writes through both replicas, no read ever misses an acknowledged message', async (t) => {
  const { writer, reader } = await twoReplicas(t)
  const replicas = [writer, reader]
  let newest = 0
  let misses = 0
  for (let i = 0; i < 40; i++) {
    const via = replicas[i % 2] as FastifyInstance
    const reply = await via.inject({ method: 'POST', url: '/api/messages', payload: { content: `w${i}` } })
    newest = reply.json().id
    for (const replica of replicas) if ((await firstPage(replica))[0]?.id !== newest) misses++
  }
  t.equal(misses, 0, '80 reads right after 40 acknowledged writes: none stale')
})
