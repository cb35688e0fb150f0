import { startTcpProxy, useRedis } from '@app/testing'
import { Redis } from 'ioredis'
import type { Test } from 'tap'
import { type CacheStore, createMemoryStore, createRedisStore } from '../src/index.ts'

export interface StoreUnderTest {
  name: string
  /** A new store on the same backend: another process's view of it. */
  connect(t: Test): Promise<CacheStore>
  prefix: string
}

/** The same behaviour is required of Redis and of the in-process store. */
export async function storesUnderTest(t: Test): Promise<StoreUnderTest[]> {
  const redis = await useRedis(t)
  const memory = createMemoryStore()
  return [
    {
      name: 'redis',
      prefix: redis.prefix,
      async connect(t) {
        // As the app does: fail fast instead of queueing, once connected.
        const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
        t.teardown(() => client.disconnect())
        await new Promise((resolve) => client.once('ready', resolve))
        return createRedisStore(client)
      },
    },
    { name: 'memory', prefix: 'memory', connect: async () => memory },
  ]
}

/** A real client whose Redis is unreachable (behind a cut proxy), like a Redis that is down. */
export async function unreachableRedisStore(t: Test): Promise<CacheStore> {
  const proxy = await startTcpProxy(t, (await useRedis(t)).url)
  proxy.cut()
  const client = new Redis(proxy.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 200,
  })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  return createRedisStore(client)
}
