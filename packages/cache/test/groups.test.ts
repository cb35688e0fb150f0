import { waitUntil } from '@app/testing'
import t, { type Test } from 'tap'
import { createCache } from '../src/index.ts'
import { type OpenStore, storeKinds } from './helpers.ts'

// Revisioned groups (src/groups.ts): what holds when invalidations are lost,
// when the store lags, and when it forgets everything.

/** Two replicas' views of one group on one store of this test's own. */
async function twoReplicas(t: Test, store: OpenStore) {
  const [a, b] = [
    createCache(await store.connect(t), { prefix: store.prefix }),
    createCache(await store.connect(t), { prefix: store.prefix }),
  ]
  return { a: a.group('board'), b: b.group('board'), raw: await store.connect(t) }
}

const page = (rows: number) => async () => JSON.stringify({ rows })
const rowsOf = (json: string) => (JSON.parse(json) as { rows: number }).rows

for (const kind of storeKinds) {
  t.test(kind.name, async (t) => {
    t.test('until a revision is known the group is bypassed, never guessed', async (t) => {
      const { a } = await twoReplicas(t, await kind.open(t))
      t.match(await a.getOrSetJson('p', 60, page(1)), { hit: false })
      t.match(await a.getOrSetJson('p', 60, page(2)), { json: '{"rows":2}', hit: false }, 'loaded again')
      a.observe(5)
      await a.getOrSetJson('p', 60, page(3))
      t.match(await a.getOrSetJson('p', 60, page(4)), { json: '{"rows":3}', hit: true }, 'cached once known')
    })

    t.test(
      'a replica that never heard of a write still reads it once the store has its revision',
      async (t) => {
        const { a, b } = await twoReplicas(t, await kind.open(t))
        a.observe(1)
        b.observe(1)
        await b.getOrSetJson('p', 60, page(1))
        await a.invalidate(2)
        t.equal(rowsOf((await b.getOrSetJson('p', 60, page(2))).json), 2, 'b read revision 2 from the store')
      },
    )

    t.test('publish leaves the new page behind: every replica hits it, other keys are dropped', async (t) => {
      const { a, b } = await twoReplicas(t, await kind.open(t))
      a.observe(1)
      b.observe(1)
      await Promise.all([a.getOrSetJson('first', 60, page(1)), b.getOrSetJson('first', 60, page(1))])
      await b.getOrSetJson('other', 60, page(1))
      await a.publish('first', 2, 60, JSON.stringify({ rows: 2 }))
      t.match(await a.getOrSetJson('first', 60, page(0)), { json: '{"rows":2}', hit: true }, 'the writer')
      t.match(await b.getOrSetJson('first', 60, page(0)), { json: '{"rows":2}', hit: true }, 'another')
      t.match(await b.getOrSetJson('other', 60, page(2)), { json: '{"rows":2}', hit: false }, 'dropped')
    })

    t.test('publish of a revision older than one known stores nothing and still lifts', async (t) => {
      const { a, b } = await twoReplicas(t, await kind.open(t))
      a.observe(3)
      await a.publish('first', 2, 60, JSON.stringify({ rows: 2 }))
      t.match(await b.getOrSetJson('first', 60, page(3)), { json: '{"rows":3}', hit: false })
    })

    t.test('a lost invalidation is made up for by the next observe of any replica', async (t) => {
      const store = await kind.open(t)
      const { a, b, raw } = await twoReplicas(t, store)
      a.observe(1)
      b.observe(1)
      await Promise.all([a.getOrSetJson('p', 60, page(1)), b.getOrSetJson('p', 60, page(1))])
      // The write committed at revision 2, but its invalidation never reached the store.
      t.equal(await raw.get(`${store.prefix}:revision:board`), '1')
      b.observe(2)
      t.equal(rowsOf((await b.getOrSetJson('p', 60, page(2))).json), 2, 'the observing replica reads fresh')
      await new Promise((resolve) => setTimeout(resolve, 20))
      t.equal(await raw.get(`${store.prefix}:revision:board`), '2', 'and lifted the store')
      t.equal(rowsOf((await a.getOrSetJson('p', 60, page(2))).json), 2, 'so the other one does too')
    })

    t.test('a store that lost every key cannot bring an old page back', async (t) => {
      const store = await kind.open(t)
      const { a, raw } = await twoReplicas(t, store)
      a.observe(3)
      await a.getOrSetJson('p', 60, page(3))
      await a.invalidate(4)
      t.equal(rowsOf((await a.getOrSetJson('p', 60, page(4))).json), 4)
      // Redis restarted empty: the revision key is gone; the old page under 3 is in the tier or store.
      await raw.delete(`${store.prefix}:revision:board`)
      t.equal(rowsOf((await a.getOrSetJson('p', 60, page(5))).json), 4, 'still revision 4, never 3 again')
      // The write-back is not awaited by the read (it must not slow it down), so it lands soon after.
      const revisionKey = `${store.prefix}:revision:board`
      t.ok(
        await waitUntil(async () => (await raw.get(revisionKey)) === '4', { timeoutMs: 2000 }),
        'written back to the store',
      )
    })

    t.test('a revision lower than one already seen changes nothing', async (t) => {
      const { a } = await twoReplicas(t, await kind.open(t))
      a.observe(9)
      await a.getOrSetJson('p', 60, page(9))
      a.observe(3)
      await a.invalidate(4)
      t.match(await a.getOrSetJson('p', 60, page(0)), { json: '{"rows":9}', hit: true })
    })
  })
}

t.test(
  'with a source of truth, a process that knows no revision asks it once, instead of bypassing',
  async (t) => {
    const kind = storeKinds[0]
    if (!kind) throw new Error('no store')
    const store = await kind.open(t)
    let asked = 0
    const group = createCache(await store.connect(t), { prefix: store.prefix }).group('sourced', {
      currentRevision: async () => {
        asked++
        return 12
      },
    })
    await Promise.all(Array.from({ length: 10 }, () => group.getOrSetJson('p', 60, page(1))))
    t.equal(asked, 1, 'ten concurrent readers, one question')
    t.match(await group.getOrSetJson('p', 60, page(2)), { json: '{"rows":1}', hit: true }, 'then cached')
  },
)
