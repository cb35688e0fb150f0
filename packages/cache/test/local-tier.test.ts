import t from 'tap'
import { createLocalTier, entryBytes } from '../src/local-tier.ts'
import { createEntry } from '../src/stored-entry.ts'

const page = (size: number) => createEntry(JSON.stringify('x'.repeat(size)), 60_000)

t.test('the tier holds at most maxBytes: the oldest entries go first', async (t) => {
  const cost = entryBytes('k0', page(1000))
  const tier = createLocalTier({ maxEntries: 1000, maxBytes: cost * 3 })
  for (let i = 0; i < 10; i++) tier.set(`k${i}`, page(1000))
  t.equal(tier.size().entries, 3)
  t.ok(tier.size().bytes <= cost * 3, `${tier.size().bytes} bytes held`)
  t.equal(tier.get('k0'), undefined, 'the oldest went')
  t.ok(tier.get('k9'), 'the newest stayed')
})

t.test('an entry larger than the whole budget is not kept, and evicts nothing', async (t) => {
  const tier = createLocalTier({ maxEntries: 10, maxBytes: 10_000 })
  tier.set('small', page(100))
  tier.set('huge', page(20_000))
  t.equal(tier.get('huge'), undefined)
  t.ok(tier.get('small'))
})

t.test('replacing a key does not count it twice; entries past expiry are dropped on read', async (t) => {
  let now = 0
  const tier = createLocalTier({ maxEntries: 10, maxBytes: 1_000_000 }, () => now)
  tier.set('k', createEntry('"a"', 100, 0))
  tier.set('k', createEntry('"b"', 100, 0))
  t.equal(tier.size().entries, 1)
  t.equal(tier.size().bytes, entryBytes('k', createEntry('"b"', 100, 0)))
  now = 200
  t.equal(tier.get('k'), undefined)
  t.same(tier.size(), { entries: 0, bytes: 0 })
})

t.test('a budget of 0 entries or 0 bytes turns the tier off', async (t) => {
  for (const limits of [
    { maxEntries: 0, maxBytes: 1000 },
    { maxEntries: 10, maxBytes: 0 },
  ]) {
    const tier = createLocalTier(limits)
    tier.set('k', page(1))
    t.equal(tier.get('k'), undefined)
  }
})
