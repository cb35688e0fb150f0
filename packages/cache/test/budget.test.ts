import t from 'tap'
import { createCache } from '../src/index.ts'
import { storeKinds } from './helpers.ts'

// A client can choose how many distinct pages it asks for; the store must
// not hold more of them than the group's budget, whatever it asks.

const page = (i: number) => JSON.stringify({ page: i, filler: 'x'.repeat(1000) })

for (const kind of storeKinds) {
  t.test(`${kind.name}: a group adds at most groupMaxBytes to the store per TTL`, async (t) => {
    const store = await kind.open(t)
    const unstored: string[] = []
    const cache = createCache(await store.connect(t), {
      prefix: store.prefix,
      localMaxEntries: 0,
      groupMaxBytes: 10_000,
      onUnstored: (group) => unstored.push(group),
    })
    const pages = cache.group('pages')
    pages.observe(1)
    for (let i = 0; i < 50; i++) {
      const served = await pages.getOrSetJson(`p${i}`, 60, async () => page(i))
      t.equal(served.json, page(i), 'every page is served, stored or not')
    }
    const stored = 50 - cache.stats().unstored
    t.ok(stored >= 5 && stored <= 10, `about 10 000 bytes of entries stored (${stored} of 50 pages)`)
    t.equal(unstored.length, cache.stats().unstored)
    t.ok(
      unstored.every((group) => group === 'pages'),
      'reported with their group',
    )

    // A stored page is still a hit; one past the budget is loaded again.
    let loads = 0
    await pages.getOrSetJson('p0', 60, async () => {
      loads++
      return page(0)
    })
    await pages.getOrSetJson('p49', 60, async () => {
      loads++
      return page(49)
    })
    t.equal(loads, 1, 'the first page was stored, the last was not')

    const before = cache.stats().unstored
    const other = cache.group('other')
    other.observe(1)
    await other.getOrSetJson('o', 60, async () => '"o"')
    t.equal(cache.stats().unstored, before, 'another group has a budget of its own')
  })

  t.test(`${kind.name}: the budget is counted again in the next TTL window`, async (t) => {
    const store = await kind.open(t)
    const cache = createCache(await store.connect(t), {
      prefix: `${store.prefix}:window`,
      localMaxEntries: 0,
      groupMaxBytes: 3000,
    })
    for (let i = 0; i < 5; i++) await cache.getOrSetJson(`s:${i}`, 1, async () => page(i))
    const first = cache.stats().unstored
    t.ok(first >= 2, `past the budget within one second (${first} unstored)`)
    await new Promise((resolve) => setTimeout(resolve, 2100))
    await cache.getOrSetJson('s:new', 1, async () => page(99))
    t.equal(cache.stats().unstored, first, 'stored again once the window turned')
  })
}

t.test('groupMaxBytes 0: no bound', async (t) => {
  const [kind] = storeKinds
  const store = await (kind as (typeof storeKinds)[number]).open(t)
  const cache = createCache(await store.connect(t), { prefix: `${store.prefix}:off`, groupMaxBytes: 0 })
  for (let i = 0; i < 30; i++) await cache.getOrSetJson(`p:${i}`, 60, async () => page(i))
  t.equal(cache.stats().unstored, 0)
})
