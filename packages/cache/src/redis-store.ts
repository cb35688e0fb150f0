import type { Redis } from 'ioredis'
import type { CacheStore } from './store.ts'

export function createRedisStore(redis: Redis): CacheStore {
  return {
    kind: 'redis',
    get: (key) => redis.get(key),
    async set(key, value, ttlMs) {
      await redis.set(key, value, 'PX', ttlMs)
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await redis.set(key, value, 'PX', ttlMs, 'NX')) === 'OK'
    },
    async delete(key) {
      await redis.del(key)
    },
    increment: (key, by) => redis.incrby(key, by),
    async ping() {
      await redis.ping()
    },
  }
}
