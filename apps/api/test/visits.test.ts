import t from 'tap'
import { buildTestApp, useDataStores } from './helpers/app.ts'

t.test('GET reads the count without changing it; POST adds one', async (t) => {
  const app = await buildTestApp(t)
  const before = await app.inject({ method: 'GET', url: '/api/visits' })
  t.equal(before.statusCode, 200)
  t.same(before.json(), { count: 0 })

  const posted = await app.inject({ method: 'POST', url: '/api/visits', payload: {} })
  t.equal(posted.statusCode, 200)
  t.same(posted.json(), { count: 1 })

  const after = await app.inject({ method: 'GET', url: '/api/visits' })
  t.same(after.json(), { count: 1 })
})

t.test('200 concurrent increments each get a distinct count and none is lost', async (t) => {
  const app = await buildTestApp(t)
  const start = (await app.inject({ method: 'GET', url: '/api/visits' })).json().count as number
  const responses = await Promise.all(
    Array.from({ length: 200 }, () => app.inject({ method: 'POST', url: '/api/visits', payload: {} })),
  )
  t.ok(responses.every((response) => response.statusCode === 200))
  const counts = responses.map((response) => response.json().count as number).sort((a, b) => a - b)
  t.same(
    counts,
    Array.from({ length: 200 }, (_, i) => start + i + 1),
  )
  t.same((await app.inject({ method: 'GET', url: '/api/visits' })).json(), { count: start + 200 })
})

t.test('two replicas share one counter', async (t) => {
  const stores = await useDataStores(t)
  const app = await buildTestApp(t, { stores })
  const replica = await buildTestApp(t, { stores })
  const first = (await app.inject({ method: 'POST', url: '/api/visits', payload: {} })).json().count as number
  const second = (await replica.inject({ method: 'POST', url: '/api/visits', payload: {} })).json()
    .count as number
  t.equal(second, first + 1)
})
