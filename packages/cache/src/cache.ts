import { setTimeout as sleep } from 'node:timers/promises'
import { createBatcher, createKeyedBatcher } from './batcher.ts'
import { createLocalTier } from './local-tier.ts'
import type { CacheStore } from './store.ts'
import { createEntry, decodeEntry, encodeEntry, type StoredEntry } from './stored-entry.ts'

/** The store did not answer: the caller should report 503, not 500. */
export class CacheUnavailableError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`cache store unavailable during ${operation}`, { cause })
    this.name = 'CacheUnavailableError'
  }
}

export interface CacheResult<T> {
  value: T
  /** True when the value came from a cache tier rather than from `load`. */
  hit: boolean
}

/** A cached JSON document, to be sent as it is. */
export interface CachedJson {
  json: string
  /** Strong entity tag of `json`, for `ETag` / `If-None-Match`. */
  etag: string
  hit: boolean
}

/** A loader of serialized JSON: called on a miss, by one caller per key at a time. */
export type JsonLoader = () => Promise<string>

/** Keys that are dropped together: every read goes through the group's version. */
export interface CacheGroup {
  getOrSetJson(key: string, ttlSeconds: number, load: JsonLoader): Promise<CachedJson>
  getOrSet<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<CacheResult<T>>
  /** Drops every key of the group at once. Never throws: a write that reached
   * the database must not fail because the cache is away. */
  invalidate(): Promise<void>
}

export interface CacheStats {
  hits: number
  /** The part of `hits` served by the in-process tier. */
  localHits: number
  misses: number
  errors: number
}

export interface Cache {
  readonly kind: CacheStore['kind']
  /** Cache-aside read of serialized JSON, returned as stored (never parsed). Only one
   * caller loads a missing key at a time: one per process (shared promise) and one
   * across processes (a short store lock). */
  getOrSetJson(key: string, ttlSeconds: number, load: JsonLoader): Promise<CachedJson>
  /** The same for any JSON value, parsed on the way out. */
  getOrSet<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<CacheResult<T>>
  group(name: string): CacheGroup
  /** Atomic counters: never expire, so a volatile-* eviction policy keeps them.
   * Concurrent increments share one INCRBY; each caller still gets its own value. */
  increment(counter: string): Promise<number>
  readCounter(counter: string): Promise<number>
  /** Counts one event in a fixed window that starts with the first event and
   * lasts `windowMs` (e.g. a rate limit). Concurrent calls for one name share
   * one round trip; each gets its own count, and when the window resets. */
  countInWindow(name: string, windowMs: number): Promise<WindowCount>
  ping(): Promise<void>
  stats(): CacheStats
}

export interface WindowCount {
  /** This event's number in the window, from 1. */
  count: number
  /** Milliseconds until the window ends and counting starts again. */
  resetMs: number
}

export interface CacheOptions {
  /** Namespace of every key, e.g. `app` → `app:cache:…`, `app:counter:…`. */
  prefix: string
  /** Entries kept in process in front of the store (0: none). Default 1000. */
  localMaxEntries?: number
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
  const stats: CacheStats = { hits: 0, localHits: 0, misses: 0, errors: 0 }
  const inflight = new Map<string, Promise<StoredEntry>>()
  // The memory store already lives in this process: a second copy would only cost memory.
  const local = createLocalTier(store.kind === 'memory' ? 0 : (options.localMaxEntries ?? 1000))

  const report = (error: unknown, operation: string): void => {
    stats.errors++
    options.onError?.(error, operation)
  }

  const hit = (entry: StoredEntry): CachedJson => {
    stats.hits++
    return { json: entry.json, etag: entry.etag, hit: true }
  }

  /** The cache is bypassed (store away): load, and still give the bytes a validator. */
  const bypass = async (load: JsonLoader, ttlMs: number): Promise<CachedJson> => {
    stats.misses++
    const entry = createEntry(await load(), ttlMs)
    return { json: entry.json, etag: entry.etag, hit: false }
  }

  const readStored = async (key: string): Promise<StoredEntry | undefined> => {
    const raw = await store.get(key)
    return raw === null ? undefined : decodeEntry(raw)
  }

  async function loadUnderLock(key: string, ttlMs: number, load: JsonLoader): Promise<StoredEntry> {
    const lockKey = `${prefix}:lock:${key}`
    const locked = await store.setIfAbsent(lockKey, '1', lockTtlMs).catch((error: unknown) => {
      report(error, 'lock')
      return false
    })
    if (!locked) {
      for (const deadline = Date.now() + lockWaitMs; Date.now() < deadline; ) {
        await sleep(lockPollMs)
        const entry = await readStored(key).catch(() => undefined)
        if (entry !== undefined) return entry
      }
    }
    try {
      const entry = createEntry(await load(), ttlMs)
      await store.set(key, encodeEntry(entry), ttlMs).catch((error: unknown) => report(error, 'set'))
      return entry
    } finally {
      if (locked) await store.delete(lockKey).catch((error: unknown) => report(error, 'unlock'))
    }
  }

  async function readThrough(key: string, ttlSeconds: number, load: JsonLoader): Promise<CachedJson> {
    const ttlMs = ttlSeconds * 1000
    const near = local.get(key)
    if (near !== undefined) {
      stats.localHits++
      return hit(near)
    }
    let stored: StoredEntry | undefined
    try {
      stored = await readStored(key)
    } catch (error) {
      report(error, 'get')
      return bypass(load, ttlMs)
    }
    if (stored !== undefined) {
      local.set(key, stored)
      return hit(stored)
    }
    let shared = inflight.get(key)
    if (!shared) {
      shared = loadUnderLock(key, ttlMs, load).finally(() => inflight.delete(key))
      inflight.set(key, shared)
    }
    stats.misses++
    const entry = await shared
    local.set(key, entry)
    return { json: entry.json, etag: entry.etag, hit: false }
  }

  const parsed = async <T>(read: Promise<CachedJson>): Promise<CacheResult<T>> => {
    const { json, hit } = await read
    return { value: JSON.parse(json) as T, hit }
  }

  function group(name: string): CacheGroup {
    const versionKey = `${prefix}:version:${name}`
    // Set when an invalidation could not reach the store: until one succeeds,
    // this process must not trust cached pages of the group.
    let invalidationPending = false
    // Concurrent readers share one version read, sent after each of them arrived, so
    // none can miss an invalidation that finished before it asked (read-your-writes
    // across replicas). Concurrent invalidations share one INCR the same way.
    const readVersion = createBatcher(async (inputs: undefined[]) => {
      const version = await store.get(versionKey)
      return inputs.map(() => version)
    })
    const bump = createBatcher(async (inputs: undefined[]) => {
      await store.increment(versionKey, 1)
      return inputs.map(() => undefined)
    })

    const bumpVersion = async (): Promise<boolean> => {
      try {
        await bump(undefined)
        invalidationPending = false
        return true
      } catch (error) {
        report(error, 'invalidate')
        return false
      }
    }

    const getOrSetJson = async (key: string, ttlSeconds: number, load: JsonLoader) => {
      if (invalidationPending && !(await bumpVersion())) return bypass(load, ttlSeconds * 1000)
      let version: string | null
      try {
        version = await readVersion(undefined)
      } catch (error) {
        report(error, 'get')
        return bypass(load, ttlSeconds * 1000)
      }
      return readThrough(`${prefix}:cache:${name}:${version ?? 0}:${key}`, ttlSeconds, load)
    }

    return {
      getOrSetJson,
      getOrSet: (key, ttlSeconds, load) =>
        parsed(getOrSetJson(key, ttlSeconds, async () => JSON.stringify(await load()))),
      async invalidate() {
        if (!(await bumpVersion())) invalidationPending = true
      },
    }
  }

  // One INCRBY n for n concurrent callers of a key; they get total-n+1 … total, in arrival order.
  const incrementCounter = createKeyedBatcher(async (key, inputs: undefined[]) =>
    numbered(await store.increment(key, inputs.length), inputs.length),
  )
  // The same for windows; a batch counts in the window of its first caller.
  const countWindow = createKeyedBatcher(async (key, windowsMs: number[]) => {
    const { total, ttlMs } = await store.incrementInWindow(key, windowsMs.length, windowsMs[0] as number)
    return numbered(total, windowsMs.length).map((count) => ({ count, resetMs: ttlMs }))
  })

  const getOrSetJson = (key: string, ttlSeconds: number, load: JsonLoader) =>
    readThrough(`${prefix}:cache:${key}`, ttlSeconds, load)

  return {
    kind: store.kind,
    getOrSetJson,
    getOrSet: (key, ttlSeconds, load) =>
      parsed(getOrSetJson(key, ttlSeconds, async () => JSON.stringify(await load()))),
    group,
    increment: (name) =>
      unavailableOnError('increment', () => incrementCounter(`${prefix}:counter:${name}`, undefined)),
    readCounter: (name) =>
      unavailableOnError('readCounter', async () =>
        Number((await store.get(`${prefix}:counter:${name}`)) ?? 0),
      ),
    countInWindow: (name, windowMs) =>
      unavailableOnError('countInWindow', () => countWindow(`${prefix}:window:${name}`, windowMs)),
    ping: () => unavailableOnError('ping', () => store.ping()),
    stats: () => ({ ...stats }),
  }
}

/** The n values a batch of n increments that ended at `total` hands out, in order. */
function numbered(total: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => total - n + 1 + i)
}

async function unavailableOnError<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw new CacheUnavailableError(operation, error)
  }
}
