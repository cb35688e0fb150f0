import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { CacheUnavailableError, createCache } from '../src/index.ts'
import { storesUnderTest, unreachableRedisStore } from './helpers.ts'

for (const store of await storesUnderTest(t)) {
  t.test(store.name, async (t) => {
    const cache = createCache(await store.connect(t), { prefix: store.prefix })

    t.test('getOrSet loads a missing key once, then serves it as a hit', async (t) => {
      let loads = 0
      const load = async () => ({ n: ++loads, at: 'x' })
      t.same(await cache.getOrSet('a', 60, load), { value: { n: 1, at: 'x' }, hit: false })
      t.same(await cache.getOrSet('a', 60, load), { value: { n: 1, at: 'x' }, hit: true })
      t.equal(loads, 1)
      t.match(cache.stats(), { hits: 1, misses: 1, errors: 0 })
    })

    t.test('a key expires after its TTL', async (t) => {
      let loads = 0
      await cache.getOrSet('short', 1, async () => ++loads)
      await sleep(1100)
      t.same(await cache.getOrSet('short', 1, async () => ++loads), { value: 2, hit: false })
    })

    t.test('concurrent misses in one process share a single load (no stampede)', async (t) => {
      let loads = 0
      const load = async () => {
        loads++
        await sleep(50)
        return 'loaded'
      }
      const results = await Promise.all(Array.from({ length: 50 }, () => cache.getOrSet('cold', 60, load)))
      t.equal(loads, 1, 'fifty callers, one load')
      t.ok(results.every((result) => result.value === 'loaded'))
    })

    t.test('concurrent misses in two processes share a single load (store lock)', async (t) => {
      const other = createCache(await store.connect(t), { prefix: store.prefix })
      let loads = 0
      const load = async () => {
        loads++
        await sleep(100)
        return 'shared'
      }
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => cache.getOrSet('cold-across', 60, load)),
        ...Array.from({ length: 10 }, () => other.getOrSet('cold-across', 60, load)),
      ])
      t.equal(loads, 1, 'twenty callers in two caches, one load')
      t.ok(results.every((result) => result.value === 'shared'))
    })

    t.test('a failed load is not cached and does not block the next caller', async (t) => {
      await t.rejects(
        cache.getOrSet('flaky', 60, async () => Promise.reject(new Error('db down'))),
        /db down/,
      )
      t.same(await cache.getOrSet('flaky', 60, async () => 'recovered'), { value: 'recovered', hit: false })
    })

    t.test('invalidating a group drops every key of it at once, and only its keys', async (t) => {
      const messages = cache.group('messages')
      const others = cache.group('others')
      await messages.getOrSet('page-1', 60, async () => 'old 1')
      await messages.getOrSet('page-2', 60, async () => 'old 2')
      await others.getOrSet('page-1', 60, async () => 'other')
      t.equal((await messages.getOrSet('page-1', 60, async () => 'new 1')).hit, true)

      await messages.invalidate()
      t.same(await messages.getOrSet('page-1', 60, async () => 'new 1'), { value: 'new 1', hit: false })
      t.same(await messages.getOrSet('page-2', 60, async () => 'new 2'), { value: 'new 2', hit: false })
      t.same(await others.getOrSet('page-1', 60, async () => 'reloaded'), { value: 'other', hit: true })
    })

    t.test('counters are atomic: 200 concurrent increments, 200 distinct values', async (t) => {
      const other = createCache(await store.connect(t), { prefix: store.prefix })
      t.equal(await cache.readCounter('visits'), 0)
      const values = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 ? cache : other).increment('visits')),
      )
      t.same(
        values.sort((a, b) => a - b),
        Array.from({ length: 200 }, (_, i) => i + 1),
      )
      t.equal(await cache.readCounter('visits'), 200)
    })
  })
}

t.test('when Redis is unreachable', async (t) => {
  const errors: string[] = []
  const cache = createCache(await unreachableRedisStore(t), {
    prefix: 'down',
    lockWaitMs: 100,
    onError: (_error, operation) => errors.push(operation),
  })

  t.test('reads fall through to the loader and report the failure', async (t) => {
    t.same(await cache.getOrSet('k', 60, async () => 'from db'), { value: 'from db', hit: false })
    t.same(await cache.group('g').getOrSet('k', 60, async () => 'from db'), { value: 'from db', hit: false })
    t.ok(errors.includes('get'))
  })

  t.test('invalidation does not throw: the write already reached the database', async (t) => {
    await t.resolves(cache.group('g').invalidate())
    t.ok(errors.includes('invalidate'))
  })

  t.test('counters and ping fail with CacheUnavailableError', async (t) => {
    await t.rejects(cache.increment('visits'), CacheUnavailableError)
    await t.rejects(cache.readCounter('visits'), CacheUnavailableError)
    await t.rejects(cache.ping(), CacheUnavailableError)
  })
})
