import { startTcpProxy, waitUntil } from '@app/testing'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { CacheUnavailableError, createCache, createRedisStore } from '../src/index.ts'
import { counting, servers, storeKinds, unreachableRedisStore } from './helpers.ts'

// What only Redis shows: the in-process tier in front of it, and Redis away.

t.test('with Redis: the in-process tier', async (t) => {
  const [kind] = storeKinds
  if (kind?.name !== 'redis') throw new Error('no redis store')

  t.test('every read is reported with its group and how it was served', async (t) => {
    const redis = await kind.open(t)
    const reads: string[] = []
    const cache = createCache(await redis.connect(t), {
      prefix: redis.prefix,
      onRead: (group, outcome) => reads.push(`${group}:${outcome}`),
    })
    const pages = cache.group('pages')
    pages.observe(1)
    await pages.getOrSetJson('p', 60, async () => '"p"')
    await pages.getOrSetJson('p', 60, async () => '"p"')
    await createCache(await redis.connect(t), {
      prefix: redis.prefix,
      onRead: (g, o) => reads.push(`${g}:${o}`),
    })
      .group('pages')
      .getOrSetJson('p', 60, async () => '"p"')
    await cache.getOrSetJson('status', 60, async () => '"s"')
    await cache.getOrSetJson('status', 0, async () => '"s"')
    t.same(reads, ['pages:miss', 'pages:hit_local', 'pages:hit_store', 'status:miss', 'status:bypass'])
    t.match(cache.stats().local, { entries: 2, bytes: Number })
  })

  t.test('serves repeated reads without reading the entry from Redis again', async (t) => {
    const redis = await kind.open(t)
    const { store: counted, calls } = counting(await redis.connect(t))
    const cache = createCache(counted, { prefix: `${redis.prefix}:tier` })
    await cache.getOrSetJson('hot', 60, async () => '"value"')
    const before = calls.get
    for (let i = 0; i < 20; i++) t.equal((await cache.getOrSetJson('hot', 60, async () => 'x')).hit, true)
    t.equal(calls.get, before, 'no GET for the entry')
    t.equal(cache.stats().localHits, 20)
  })

  t.test('a group read shares one version read among concurrent callers', async (t) => {
    const redis = await kind.open(t)
    const { store: counted, calls } = counting(await redis.connect(t))
    const pages = createCache(counted, { prefix: `${redis.prefix}:share` }).group('pages')
    pages.observe(1)
    await pages.getOrSetJson('p', 60, async () => '"page"')
    const before = calls.get
    const results = await Promise.all(
      Array.from({ length: 50 }, () => pages.getOrSetJson('p', 60, async () => 'x')),
    )
    t.ok(results.every((result) => result.hit && result.json === '"page"'))
    t.ok(calls.get - before <= 2, `50 reads, ${calls.get - before} version reads`)
  })

  t.test('read-your-writes across replicas, each with its own in-process tier', async (t) => {
    const redis = await kind.open(t)
    const prefix = `${redis.prefix}:ryw`
    const [a, b] = [
      createCache(await redis.connect(t), { prefix }).group('list'),
      createCache(await redis.connect(t), { prefix }).group('list'),
    ]
    let rows = 0
    const load = async () => JSON.stringify({ rows })
    a.observe(0)
    b.observe(0)
    for (let write = 1; write <= 20; write++) {
      // Both replicas hold the page in process, then one of them writes.
      await Promise.all([a.getOrSetJson('page', 60, load), b.getOrSetJson('page', 60, load)])
      rows = write
      await (write % 2 ? a : b).invalidate(write)
      const reader = write % 2 ? b : a
      t.same(JSON.parse((await reader.getOrSetJson('page', 60, load)).json), { rows: write })
    }
  })

  t.test('a value in an older format is a miss, not an error', async (t) => {
    const redis = await kind.open(t)
    const client = await redis.connect(t)
    const cache = createCache(client, { prefix: `${redis.prefix}:old` })
    await client.set(`${redis.prefix}:old:cache:legacy`, '{"old":true}', 60_000)
    t.match(await cache.getOrSetJson('legacy', 60, async () => '{"new":true}'), {
      json: '{"new":true}',
      hit: false,
    })
    t.equal(cache.stats().errors, 0)
  })
})

t.test('when Redis is unreachable', async (t) => {
  /** A cache on a Redis that is down, and the operations it reported failing. */
  const downCache = async (t: Test) => {
    const errors: string[] = []
    const cache = createCache(await unreachableRedisStore(t), {
      prefix: 'down',
      lockWaitMs: 100,
      onError: (_error, operation) => errors.push(operation),
    })
    return { cache, errors }
  }

  t.test('reads fall through to the loader and report the failure', async (t) => {
    const { cache, errors } = await downCache(t)
    t.same(await cache.getOrSet('k', 60, async () => 'from db'), { value: 'from db', hit: false })
    t.same(await cache.group('g').getOrSet('k', 60, async () => 'from db'), { value: 'from db', hit: false })
    t.ok(errors.includes('get'))
  })

  t.test('invalidation does not throw: the write already reached the database', async (t) => {
    const { cache, errors } = await downCache(t)
    await t.resolves(cache.group('g').invalidate(7))
    t.ok(errors.includes('invalidate'))
  })

  t.test('counters and ping fail with CacheUnavailableError', async (t) => {
    const { cache } = await downCache(t)
    await t.rejects(cache.increment('visits'), CacheUnavailableError)
    await t.rejects(cache.readCounter('visits'), CacheUnavailableError)
    await t.rejects(cache.countInWindow('client', 1000), CacheUnavailableError)
    await t.rejects(cache.ping(), CacheUnavailableError)
  })
})

t.test('a command that timed out never gets another command its answer', async (t) => {
  const { url, prefix } = await servers.redis(t)
  const proxy = await startTcpProxy(t, url)
  const client = new Redis(proxy.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 200,
  })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  await new Promise((resolve) => client.once('ready', resolve))
  const cache = createCache(createRedisStore(client), { prefix })
  await cache.increment('a')
  await cache.increment('b')
  await cache.increment('b')

  // The server gets the reads and answers them, but the answers are lost.
  proxy.halfOpen()
  await t.rejects(cache.readCounter('a'), CacheUnavailableError, 'the read times out')
  proxy.restore()
  const pong = () =>
    client.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    )
  t.ok(await waitUntil(pong, { timeoutMs: 5000 }), 'the connection answers again')
  t.equal(await cache.readCounter('b'), 2, "b's own answer, not one meant for an earlier command")
  t.equal(await cache.readCounter('a'), 1)
})
