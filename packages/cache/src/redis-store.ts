import type { Redis } from 'ioredis'
import { splitRecord } from './once-record.ts'
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

// The budget counts what was stored: a value refused takes its bytes back.
const SET_WITHIN_BUDGET = `
local bytes = string.len(ARGV[1])
local used = redis.call('INCRBY', KEYS[2], bytes)
if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
if used > tonumber(ARGV[3]) then
  redis.call('DECRBY', KEYS[2], bytes)
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`

// A missing key, or one holding anything but a number, counts as lower than any value.
const RAISE = `
local current = tonumber(redis.call('GET', KEYS[1]))
local wanted = tonumber(ARGV[1])
if current == nil or wanted > current then
  redis.call('SET', KEYS[1], ARGV[1])
  return ARGV[1]
end
return tostring(current)`

// The counter and the record of the key that counted: one script, so one write to the AOF.
const INCREMENT_ONCE = `
local seen = redis.call('GET', KEYS[2])
if seen then return { 0, seen } end
local total = redis.call('INCR', KEYS[1])
local record = ARGV[1] .. '\\n' .. total
redis.call('SET', KEYS[2], record, 'PX', ARGV[2])
return { 1, record }`

interface ScriptCommands {
  incrementInWindow(key: string, by: number, windowMs: number): Promise<[number, number]>
  raise(key: string, value: number): Promise<string>
  setWithinBudget(
    key: string,
    budgetKey: string,
    value: string,
    ttlMs: number,
    maxBytes: number,
    windowMs: number,
  ): Promise<number>
  incrementOnce(counterKey: string, onceKey: string, tag: string, ttlMs: number): Promise<[number, string]>
}

export function createRedisStore(redis: Redis): CacheStore {
  const scripted = redis as Redis & Partial<ScriptCommands>
  if (!scripted.incrementInWindow) {
    redis.defineCommand('incrementInWindow', { numberOfKeys: 1, lua: INCREMENT_IN_WINDOW })
    redis.defineCommand('raise', { numberOfKeys: 1, lua: RAISE })
    redis.defineCommand('incrementOnce', { numberOfKeys: 2, lua: INCREMENT_ONCE })
    redis.defineCommand('setWithinBudget', { numberOfKeys: 2, lua: SET_WITHIN_BUDGET })
  }
  const commands = scripted as Redis & ScriptCommands
  const store: CacheStore = {
    kind: 'redis',
    get: (key) => redis.get(key),
    async set(key, value, ttlMs) {
      await redis.set(key, value, 'PX', ttlMs)
    },
    async setWithinBudget(key, value, ttlMs, budget) {
      const stored = await commands.setWithinBudget(
        key,
        budget.key,
        value,
        ttlMs,
        budget.maxBytes,
        budget.windowMs,
      )
      return stored === 1
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
    raise: async (key, value) => Number(await commands.raise(key, value)),
    async incrementOnce(counterKey, onceKey, tag, ttlMs) {
      const [first, record] = await commands.incrementOnce(counterKey, onceKey, tag, ttlMs)
      return { ...splitRecord(record), first: first === 1 }
    },
    async ping() {
      await redis.ping()
    },
  }
  return resetOnTimeout(redis, store)
}

/**
 * ioredis answers commands in the order it sent them. A command that timed
 * out stays in its queue, so when a hung server (or a route that drops
 * packets) answers late, every later command would get the answer meant for
 * an earlier one. After a timeout the connection is dropped and made again:
 * the queue is failed and emptied, and pairing starts over.
 */
function resetOnTimeout(redis: Redis, store: CacheStore): CacheStore {
  const guarded = { ...store }
  for (const [name, method] of Object.entries(store)) {
    if (typeof method !== 'function') continue
    ;(guarded as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
      (method as (...a: unknown[]) => Promise<unknown>)(...args).catch((error: unknown) => {
        if (error instanceof Error && error.message === 'Command timed out' && redis.status === 'ready') {
          redis.disconnect(true)
        }
        throw error
      })
  }
  return guarded
}
