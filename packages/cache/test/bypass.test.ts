import t from 'tap'
import { createCache, createMemoryStore } from '../src/index.ts'

// With the cache off (a TTL of 0), concurrent reads of one key share a load,
// but only one started after each of them arrived: as fresh as loading alone.

t.test('cache off: concurrent readers of one key share loads sent after they arrived', async (t) => {
  const group = createCache(createMemoryStore(), { prefix: 'bypass' }).group('board')
  let version = 0
  let loads = 0
  const load = async () => {
    loads++
    const seen = version
    await new Promise((resolve) => setTimeout(resolve, 20))
    return JSON.stringify({ seen })
  }
  const first = Array.from({ length: 10 }, () => group.getOrSetJson('p', 0, load))
  // A write acknowledged while the first load is in flight: readers from now on must see it.
  await new Promise((resolve) => setTimeout(resolve, 5))
  version = 1
  const later = Array.from({ length: 10 }, () => group.getOrSetJson('p', 0, load))
  const [a, b] = [await Promise.all(first), await Promise.all(later)]
  t.equal(loads, 2, 'twenty readers, two loads')
  t.equal(a[0]?.json, '{"seen":0}', 'the first reader loads at once')
  t.ok(
    [...a.slice(1), ...b].every((page) => page.json === '{"seen":1}' && !page.hit),
    'the nineteen that arrived during its load share one load sent after them, which sees the write',
  )
  t.equal(new Set(b.map((page) => page.etag)).size, 1, 'one ETag for one body')
  t.match(await group.getOrSetJson('other', 0, load), { json: '{"seen":1}' }, 'other keys load apart')
})
