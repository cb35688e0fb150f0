import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { createCache } from '../src/index.ts'
import { counting, type StoreKind, storeKinds } from './helpers.ts'

/** A store of this test's own and a cache on it. */
async function openCache(t: Test, kind: StoreKind) {
  const store = await kind.open(t)
  return { store, cache: createCache(await store.connect(t), { prefix: store.prefix }) }
}

for (const kind of storeKinds) {
  t.test(kind.name, async (t) => {
    t.test('getOrSet loads a missing key once, then serves it as a hit', async (t) => {
      const { cache } = await openCache(t, kind)
      let loads = 0
      const load = async () => ({ n: ++loads, at: 'x' })
      t.same(await cache.getOrSet('a', 60, load), { value: { n: 1, at: 'x' }, hit: false })
      t.same(await cache.getOrSet('a', 60, load), { value: { n: 1, at: 'x' }, hit: true })
      t.equal(loads, 1)
      t.match(cache.stats(), { hits: 1, misses: 1, errors: 0 })
    })

    t.test('a TTL of 0 bypasses the cache: every read loads, nothing is stored', async (t) => {
      const { cache } = await openCache(t, kind)
      let loads = 0
      const load = async () => `"${++loads}"`
      t.match(await cache.getOrSetJson('off', 0, load), { json: '"1"', etag: String, hit: false })
      t.match(await cache.group('g').getOrSetJson('off', 0, load), { json: '"2"', hit: false })
      t.match(await cache.getOrSetJson('off', 60, async () => '"stored"'), { json: '"stored"', hit: false })
    })

    t.test('a key expires after its TTL', async (t) => {
      const { cache } = await openCache(t, kind)
      let loads = 0
      await cache.getOrSet('short', 1, async () => ++loads)
      await sleep(1100)
      t.same(await cache.getOrSet('short', 1, async () => ++loads), { value: 2, hit: false })
    })

    t.test('concurrent misses in one process share a single load (no stampede)', async (t) => {
      const { cache } = await openCache(t, kind)
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
      const { store, cache } = await openCache(t, kind)
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
      const { cache } = await openCache(t, kind)
      await t.rejects(
        cache.getOrSet('flaky', 60, async () => Promise.reject(new Error('db down'))),
        /db down/,
      )
      t.same(await cache.getOrSet('flaky', 60, async () => 'recovered'), { value: 'recovered', hit: false })
    })

    t.test('invalidating a group drops every key of it at once, and only its keys', async (t) => {
      const { cache } = await openCache(t, kind)
      const messages = cache.group('messages')
      const others = cache.group('others')
      messages.observe(1)
      others.observe(1)
      await messages.getOrSet('page-1', 60, async () => 'old 1')
      await messages.getOrSet('page-2', 60, async () => 'old 2')
      await others.getOrSet('page-1', 60, async () => 'other')
      t.equal((await messages.getOrSet('page-1', 60, async () => 'new 1')).hit, true)

      await messages.invalidate(2)
      t.same(await messages.getOrSet('page-1', 60, async () => 'new 1'), { value: 'new 1', hit: false })
      t.same(await messages.getOrSet('page-2', 60, async () => 'new 2'), { value: 'new 2', hit: false })
      t.same(await others.getOrSet('page-1', 60, async () => 'reloaded'), { value: 'other', hit: true })
    })

    t.test('counters are atomic: 200 concurrent increments, 200 distinct values', async (t) => {
      const { store, cache } = await openCache(t, kind)
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

    t.test('getOrSetJson returns the stored bytes as they are, with an ETag of them', async (t) => {
      const { cache } = await openCache(t, kind)
      const json = '{"b":1,"a":[2,3]}'
      const first = await cache.getOrSetJson('doc', 60, async () => json)
      t.same(first, { json, etag: first.etag, hit: false })
      t.match(first.etag, /^"[A-Za-z0-9_-]{22}"$/)
      const again = await cache.getOrSetJson('doc', 60, async () => 'not called')
      t.same(again, { json, etag: first.etag, hit: true }, 'same bytes, same tag')
      const other = await cache.getOrSetJson('doc2', 60, async () => '{"b":2}')
      t.not(other.etag, first.etag, 'other bytes, other tag')
    })

    t.test('concurrent increments share INCRBY round trips and still get distinct values', async (t) => {
      const store = await kind.open(t)
      const { store: counted, calls } = counting(await store.connect(t))
      const coalescing = createCache(counted, { prefix: store.prefix })
      const start = await coalescing.readCounter('coalesced')
      const values = await Promise.all(Array.from({ length: 100 }, () => coalescing.increment('coalesced')))
      t.same(
        values.sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, i) => start + i + 1),
        'each caller its own value, none lost',
      )
      t.ok(calls.increment < 10, `100 increments, ${calls.increment} round trips`)
      t.equal(await coalescing.readCounter('coalesced'), start + 100)
    })

    t.test('a window counts events until it ends, shared by processes', async (t) => {
      const { store, cache } = await openCache(t, kind)
      const other = createCache(await store.connect(t), { prefix: store.prefix })
      const first = await cache.countInWindow('client-a', 1000)
      t.equal(first.count, 1)
      t.ok(first.resetMs > 900 && first.resetMs <= 1000, `the window runs ${first.resetMs} ms more`)
      const second = await other.countInWindow('client-a', 1000)
      t.equal(second.count, 2, 'another process counts in the same window')
      t.ok(second.resetMs <= first.resetMs, 'the window is not extended')
      t.equal((await cache.countInWindow('client-b', 1000)).count, 1, 'each name has its own window')
      await sleep(second.resetMs + 50)
      t.equal((await cache.countInWindow('client-a', 1000)).count, 1, 'a new window starts from 1')
    })

    t.test('a window key without a TTL gets one, so its count cannot live forever', async (t) => {
      const { store, cache } = await openCache(t, kind)
      const raw = await store.connect(t)
      await raw.increment(`${store.prefix}:window:no-ttl`, 5)
      const next = await cache.countInWindow('no-ttl', 1000)
      t.equal(next.count, 6)
      t.ok(next.resetMs > 0 && next.resetMs <= 1000, `the window runs ${next.resetMs} ms`)
    })

    t.test('concurrent events in one window share round trips and get distinct counts', async (t) => {
      const store = await kind.open(t)
      const { store: counted, calls } = counting(await store.connect(t))
      const coalescing = createCache(counted, { prefix: store.prefix })
      const results = await Promise.all(
        Array.from({ length: 100 }, () => coalescing.countInWindow('burst', 60_000)),
      )
      t.same(
        results.map((result) => result.count).sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, i) => i + 1),
      )
      t.ok(calls.incrementInWindow < 10, `100 events, ${calls.incrementInWindow} round trips`)
    })
  })
}
