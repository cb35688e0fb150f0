import type { Redis } from 'ioredis'
import type { CacheStore } from './store.ts'

// A script, not MULTI with PEXPIRE NX, so that Redis 6 servers work too. A key
// without a TTL (a new one, or one that lost it) starts a window: no count lives forever.
const INCREMENT_IN_WINDOW = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return { total, ttl }`

interface WindowCommands {
  incrementInWindow(key: string, by: number, windowMs: number): Promise<[number, number]>
}

export function createRedisStore(redis: Redis): CacheStore {
  const scripted = redis as Redis & Partial<WindowCommands>
  if (!scripted.incrementInWindow) {
    redis.defineCommand('incrementInWindow', { numberOfKeys: 1, lua: INCREMENT_IN_WINDOW })
  }
  const commands = scripted as Redis & WindowCommands
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
    async incrementInWindow(key, by, windowMs) {
      const [total, ttlMs] = await commands.incrementInWindow(key, by, windowMs)
      return { total, ttlMs }
    },
    async ping() {
      await redis.ping()
    },
  }
}
