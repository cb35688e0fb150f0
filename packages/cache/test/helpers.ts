import { startTcpProxy, testServers } from '@app/testing'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { type CacheStore, createMemoryStore, createRedisStore } from '../src/index.ts'

export const servers = testServers(t)

/** A store of one test's own: nothing another test wrote is in it. */
export interface OpenStore {
  /** A new client of the same store: another process's view of it. */
  connect(t: Test): Promise<CacheStore>
  prefix: string
}

export interface StoreKind {
  name: 'redis' | 'memory'
  open(t: Test): Promise<OpenStore>
}

/** The same behaviour is required of Redis and of the in-process store. */
export const storeKinds: StoreKind[] = [
  {
    name: 'redis',
    async open(t) {
      const redis = await servers.redis(t)
      return {
        prefix: redis.prefix,
        async connect(t) {
          // As the app does: fail fast instead of queueing, once connected.
          const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
          t.teardown(() => client.disconnect())
          await new Promise((resolve) => client.once('ready', resolve))
          return createRedisStore(client)
        },
      }
    },
  },
  {
    name: 'memory',
    async open() {
      const memory = createMemoryStore()
      return { prefix: 'memory', connect: async () => memory }
    },
  },
]

/** A real client whose Redis is unreachable (behind a cut proxy), like a Redis that is down. */
export async function unreachableRedisStore(t: Test): Promise<CacheStore> {
  const proxy = await startTcpProxy(t, (await servers.redis(t)).url)
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

export type StoreCalls = Record<
  | 'get'
  | 'set'
  | 'setIfAbsent'
  | 'delete'
  | 'increment'
  | 'incrementInWindow'
  | 'incrementOnce'
  | 'raise'
  | 'ping',
  number
>

/** The same store, counting the round trips made through it. */
export function counting(store: CacheStore): { store: CacheStore; calls: StoreCalls } {
  const calls: StoreCalls = {
    get: 0,
    set: 0,
    setIfAbsent: 0,
    delete: 0,
    increment: 0,
    incrementInWindow: 0,
    incrementOnce: 0,
    raise: 0,
    ping: 0,
  }
  const count = <T>(method: keyof StoreCalls, result: T): T => {
    calls[method]++
    return result
  }
  return {
    calls,
    store: {
      kind: store.kind,
      get: (key) => count('get', store.get(key)),
      set: (key, value, ttlMs) => count('set', store.set(key, value, ttlMs)),
      // A write of an entry either way: counted as one.
      setWithinBudget: (key, value, ttlMs, budget) =>
        count('set', store.setWithinBudget(key, value, ttlMs, budget)),
      setIfAbsent: (key, value, ttlMs) => count('setIfAbsent', store.setIfAbsent(key, value, ttlMs)),
      delete: (key) => count('delete', store.delete(key)),
      increment: (key, by) => count('increment', store.increment(key, by)),
      incrementInWindow: (key, by, windowMs) =>
        count('incrementInWindow', store.incrementInWindow(key, by, windowMs)),
      incrementOnce: (counterKey, onceKey, tag, ttlMs) =>
        count('incrementOnce', store.incrementOnce(counterKey, onceKey, tag, ttlMs)),
      raise: (key, value) => count('raise', store.raise(key, value)),
      ping: () => count('ping', store.ping()),
    },
  }
}
