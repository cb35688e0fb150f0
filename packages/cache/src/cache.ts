import { setTimeout as sleep } from 'node:timers/promises'
import type { CacheStore } from './store.ts'

/** The store did not answer: the caller should report 503, not 500. */
export class CacheUnavailableError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`cache store unavailable during ${operation}`, { cause })
    this.name = 'CacheUnavailableError'
  }
}

export interface CacheResult<T> {
  value: T
  /** True when the value came from the store rather than from `load`. */
  hit: boolean
}

/** Keys that are dropped together: every read goes through the group's version. */
export interface CacheGroup {
  getOrSet<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<CacheResult<T>>
  /** Drops every key of the group at once. Never throws: a write that reached
   * the database must not fail because the cache is away. */
  invalidate(): Promise<void>
}

export interface CacheStats {
  hits: number
  misses: number
  errors: number
}

export interface Cache {
  readonly kind: CacheStore['kind']
  /** Cache-aside read. Only one caller loads a missing key at a time: one per
   * process (shared promise) and one across processes (a short store lock). */
  getOrSet<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<CacheResult<T>>
  group(name: string): CacheGroup
  /** Atomic counters: never expire, so a volatile-* eviction policy keeps them. */
  increment(counter: string): Promise<number>
  readCounter(counter: string): Promise<number>
  ping(): Promise<void>
  stats(): CacheStats
}

export interface CacheOptions {
  /** Namespace of every key, e.g. `app` → `app:cache:…`, `app:counter:…`. */
  prefix: string
  /** How long a loader may hold the cross-process lock. */
  lockTtlMs?: number
  /** How long a caller waits for another process's loader before loading itself. */
  lockWaitMs?: number
  lockPollMs?: number
  /** Store failures are reported here and otherwise treated as misses. */
  onError?: (error: unknown, operation: string) => void
}

export function createCache(store: CacheStore, options: CacheOptions): Cache {
  const { prefix, lockTtlMs = 5000, lockWaitMs = 2000, lockPollMs = 20 } = options
  const stats: CacheStats = { hits: 0, misses: 0, errors: 0 }
  const inflight = new Map<string, Promise<unknown>>()

  const report = (error: unknown, operation: string): void => {
    stats.errors++
    options.onError?.(error, operation)
  }

  const miss = async <T>(load: () => Promise<T>): Promise<CacheResult<T>> => {
    stats.misses++
    return { value: await load(), hit: false }
  }

  const readJson = async (key: string): Promise<unknown> => {
    const raw = await store.get(key)
    return raw === null ? undefined : JSON.parse(raw)
  }

  async function loadUnderLock<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const lockKey = `${prefix}:lock:${key}`
    const locked = await store.setIfAbsent(lockKey, '1', lockTtlMs).catch((error: unknown) => {
      report(error, 'lock')
      return false
    })
    if (!locked) {
      for (const deadline = Date.now() + lockWaitMs; Date.now() < deadline; ) {
        await sleep(lockPollMs)
        const value = await readJson(key).catch(() => undefined)
        if (value !== undefined) return value as T
      }
    }
    try {
      const value = await load()
      await store.set(key, JSON.stringify(value), ttlMs).catch((error: unknown) => report(error, 'set'))
      return value
    } finally {
      if (locked) await store.delete(lockKey).catch((error: unknown) => report(error, 'unlock'))
    }
  }

  async function readThrough<T>(key: string, ttlSeconds: number, load: () => Promise<T>) {
    let cached: unknown
    try {
      cached = await readJson(key)
    } catch (error) {
      report(error, 'get')
      return miss(load)
    }
    if (cached !== undefined) {
      stats.hits++
      return { value: cached as T, hit: true }
    }
    let shared = inflight.get(key) as Promise<T> | undefined
    if (!shared) {
      shared = loadUnderLock(key, ttlSeconds * 1000, load).finally(() => inflight.delete(key))
      inflight.set(key, shared)
    }
    return miss(() => shared)
  }

  function group(name: string): CacheGroup {
    const versionKey = `${prefix}:version:${name}`
    // Set when an invalidation could not reach the store: until one succeeds,
    // this process must not trust cached pages of the group.
    let invalidationPending = false

    const bumpVersion = async (): Promise<boolean> => {
      try {
        await store.increment(versionKey)
        invalidationPending = false
        return true
      } catch (error) {
        report(error, 'invalidate')
        return false
      }
    }

    return {
      async getOrSet(key, ttlSeconds, load) {
        if (invalidationPending && !(await bumpVersion())) return miss(load)
        let version: string | null
        try {
          version = await store.get(versionKey)
        } catch (error) {
          report(error, 'get')
          return miss(load)
        }
        return readThrough(`${prefix}:cache:${name}:${version ?? 0}:${key}`, ttlSeconds, load)
      },
      async invalidate() {
        if (!(await bumpVersion())) invalidationPending = true
      },
    }
  }

  return {
    kind: store.kind,
    getOrSet: (key, ttlSeconds, load) => readThrough(`${prefix}:cache:${key}`, ttlSeconds, load),
    group,
    increment: (counter) =>
      unavailableOnError('increment', () => store.increment(`${prefix}:counter:${counter}`)),
    readCounter: (counter) =>
      unavailableOnError('readCounter', async () =>
        Number((await store.get(`${prefix}:counter:${counter}`)) ?? 0),
      ),
    ping: () => unavailableOnError('ping', () => store.ping()),
    stats: () => ({ ...stats }),
  }
}

async function unavailableOnError<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw new CacheUnavailableError(operation, error)
  }
}
