import { splitRecord } from './once-record.ts'
import type { CacheStore } from './store.ts'

interface Entry {
  value: string
  expiresAt: number
}

const SWEEP_THRESHOLD = 10_000

/** A single-process stand-in for Redis, used when no REDIS_URL is set. */
export function createMemoryStore(now: () => number = Date.now): CacheStore {
  const entries = new Map<string, Entry>()

  const read = (key: string): Entry | undefined => {
    const entry = entries.get(key)
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key)
      return undefined
    }
    return entry
  }

  const write = (key: string, value: string, ttlMs: number): void => {
    if (entries.size >= SWEEP_THRESHOLD) {
      for (const candidate of entries.keys()) read(candidate)
    }
    entries.set(key, { value, expiresAt: now() + ttlMs })
  }

  const store: CacheStore = {
    kind: 'memory',
    get: async (key) => read(key)?.value ?? null,
    async set(key, value, ttlMs) {
      write(key, value, ttlMs)
    },
    async setWithinBudget(key, value, ttlMs, budget) {
      const bytes = Buffer.byteLength(value)
      const { total } = await store.incrementInWindow(budget.key, bytes, budget.windowMs)
      if (total > budget.maxBytes) {
        await store.incrementInWindow(budget.key, -bytes, budget.windowMs)
        return false
      }
      write(key, value, ttlMs)
      return true
    },
    async setIfAbsent(key, value, ttlMs) {
      if (read(key)) return false
      write(key, value, ttlMs)
      return true
    },
    async delete(key) {
      entries.delete(key)
    },
    async increment(key, by) {
      const next = Number(read(key)?.value ?? 0) + by
      entries.set(key, { value: String(next), expiresAt: Number.POSITIVE_INFINITY })
      return next
    },
    async incrementInWindow(key, by, windowMs) {
      const entry = read(key)
      const expiresAt = entry && Number.isFinite(entry.expiresAt) ? entry.expiresAt : now() + windowMs
      const total = Number(entry?.value ?? 0) + by
      entries.set(key, { value: String(total), expiresAt })
      return { total, ttlMs: expiresAt - now() }
    },
    async incrementOnce(counterKey, onceKey, tag, ttlMs) {
      const seen = read(onceKey)
      if (seen) return { ...splitRecord(seen.value), first: false }
      const total = Number(read(counterKey)?.value ?? 0) + 1
      entries.set(counterKey, { value: String(total), expiresAt: Number.POSITIVE_INFINITY })
      write(onceKey, `${tag}\n${total}`, ttlMs)
      return { tag, total, first: true }
    },
    async raise(key, value) {
      const current = Number(read(key)?.value ?? Number.NaN)
      if (Number.isNaN(current) || value > current) {
        entries.set(key, { value: String(value), expiresAt: Number.POSITIVE_INFINITY })
        return value
      }
      return current
    },
    async ping() {},
  }
  return store
}
