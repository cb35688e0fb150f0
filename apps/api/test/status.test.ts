import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import t from 'tap'
import { buildTestApp, useDataStores } from './helpers/app.ts'

t.test('by default the snapshot is cached 10 s in Redis and shared by replicas', async (t) => {
  const stores = await useDataStores(t)
  const [one, two] = [await buildTestApp(t, { stores }), await buildTestApp(t, { stores })]
  const first = await one.inject({ method: 'GET', url: '/api/status' })
  t.equal(first.statusCode, 200)
  t.equal(first.headers['x-cache'], 'miss')
  const status = first.json()
  t.equal(status.ttlSeconds, 10)
  t.equal(Date.parse(status.expiresAt) - Date.parse(status.cachedAt), 10_000)

  const fromReplica = await two.inject({ method: 'GET', url: '/api/status' })
  t.equal(fromReplica.headers['x-cache'], 'hit')
  t.same(fromReplica.json(), status, 'the other replica returns the same snapshot')

  const etag = fromReplica.headers.etag as string
  const unchanged = await one.inject({
    method: 'GET',
    url: '/api/status',
    headers: { 'if-none-match': etag },
  })
  t.equal(unchanged.statusCode, 304, 'the tag is the same on every replica')
  t.equal(unchanged.body, '')

  const redis = new Redis(stores.redisUrl)
  t.teardown(() => redis.disconnect())
  const ttl = await redis.pttl(`${stores.keyPrefix}:cache:status`)
  t.ok(ttl > 9000 && ttl <= 10_000, `the Redis key expires in ~10 s (${ttl} ms)`)
})

t.test('inside the window the value stays; after it a new one is made', async (t) => {
  const app = await buildTestApp(t, { env: { STATUS_CACHE_TTL_SECONDS: '1' } })
  const first = (await app.inject({ method: 'GET', url: '/api/status' })).json()
  await sleep(300)
  t.same((await app.inject({ method: 'GET', url: '/api/status' })).json(), first, 'same value inside the TTL')
  await sleep(1000)
  const after = await app.inject({ method: 'GET', url: '/api/status' })
  t.equal(after.headers['x-cache'], 'miss')
  t.not(after.json().serverTime, first.serverTime, 'a new value after the TTL')
  t.ok(Date.parse(after.json().serverTime) >= Date.parse(first.expiresAt))
})
