import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { createCache } from '../src/index.ts'
import { storeKinds } from './helpers.ts'

for (const kind of storeKinds) {
  t.test(kind.name, async (t) => {
    t.test('incrementOnce counts once per key, however many times and processes ask', async (t) => {
      const store = await kind.open(t)
      const [a, b] = [
        createCache(await store.connect(t), { prefix: store.prefix }),
        createCache(await store.connect(t), { prefix: store.prefix }),
      ]
      await a.increment('visits')
      const once = { key: 'client:k1', tag: 'fingerprint-1', ttlMs: 60_000 }
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).incrementOnce('visits', once)),
      )
      t.equal(results.filter((result) => result.first).length, 1, 'one of twenty counted')
      t.ok(
        results.every((result) => result.value === 2 && result.tag === 'fingerprint-1'),
        'all got its total',
      )
      t.equal(await a.readCounter('visits'), 2)
      t.match(await a.incrementOnce('visits', { ...once, key: 'client:k2' }), { value: 3, first: true })
    })

    t.test('a once record expires after its ttl, and a tag with a newline survives', async (t) => {
      const store = await kind.open(t)
      const cache = createCache(await store.connect(t), { prefix: store.prefix })
      const once = { key: 'short', tag: 'line one\nline two', ttlMs: 200 }
      t.match(await cache.incrementOnce('c', once), { value: 1, tag: 'line one\nline two', first: true })
      t.match(await cache.incrementOnce('c', once), { value: 1, first: false })
      await sleep(300)
      t.match(await cache.incrementOnce('c', once), { value: 2, first: true }, 'a new key after the ttl')
    })

    t.test('a claim is held by one caller until released or expired', async (t) => {
      const store = await kind.open(t)
      const cache = createCache(await store.connect(t), { prefix: store.prefix })
      const claims = await Promise.all(Array.from({ length: 5 }, () => cache.claim('work', 200)))
      t.same(claims.filter(Boolean).length, 1, 'one of five')
      await cache.release('work')
      t.equal(await cache.claim('work', 200), true, 'free again once released')
      await sleep(300)
      t.equal(await cache.claim('work', 200), true, 'and once expired')
    })
  })
}
