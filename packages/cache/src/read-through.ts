import { setTimeout as sleep } from 'node:timers/promises'
import { createKeyedBatcher } from './batcher.ts'
import type { CacheContext } from './context.ts'
import { createLocalTier } from './local-tier.ts'
import { createEntry, decodeEntry, encodeEntry, type StoredEntry } from './stored-entry.ts'
import type { CachedJson, JsonLoader } from './types.ts'

export interface ReadThroughOptions {
  localMaxEntries: number
  localMaxBytes: number
  /** Bytes one label's entries may add to the store per window of their TTL (0: no bound). */
  storeMaxBytesPerLabel: number
  lockTtlMs: number
  lockWaitMs: number
  lockPollMs: number
}

export interface ReadThrough {
  /** Cache-aside read of `storeKey`: in-process tier, then the store, then `load` (single-flight). */
  read(storeKey: string, ttlSeconds: number, load: JsonLoader, label: string): Promise<CachedJson>
  /**
   * The cache is not used (store away, or a TTL of 0): load, and still give the
   * bytes a validator. With a `key`, concurrent callers of one key share a load
   * started after each of them arrived, so each still reads what was committed
   * before its call (as fresh as loading alone), and a hot page costs one query
   * per round trip instead of one per reader.
   */
  bypass(load: JsonLoader, label: string, key?: string): Promise<CachedJson>
  /** Stores `json` under `storeKey` (store, then in-process tier) as a load would have. */
  put(storeKey: string, ttlSeconds: number, json: string, label: string): Promise<void>
  local(): { entries: number; bytes: number }
}

/**
 * A missing key is loaded by one caller at a time: concurrent callers in this
 * process share one promise, and across processes a `SET NX PX` lock makes the
 * others poll the store for the value (then load themselves if the holder is
 * slower than `lockWaitMs`).
 */
export function createReadThrough(context: CacheContext, options: ReadThroughOptions): ReadThrough {
  const { store, keys, stats, report, observe, refused } = context
  const inflight = new Map<string, Promise<StoredEntry>>()
  // The memory store already lives in this process: a second copy would only cost memory.
  const local = createLocalTier({
    maxEntries: store.kind === 'memory' ? 0 : options.localMaxEntries,
    maxBytes: options.localMaxBytes,
  })

  const readStored = async (key: string): Promise<StoredEntry | undefined> => {
    const raw = await store.get(key)
    return raw === null ? undefined : decodeEntry(raw)
  }

  async function waitForOtherLoader(key: string): Promise<StoredEntry | undefined> {
    for (const deadline = Date.now() + options.lockWaitMs; Date.now() < deadline; ) {
      await sleep(options.lockPollMs)
      const entry = await readStored(key).catch(() => undefined)
      if (entry !== undefined) return entry
    }
    return undefined
  }

  // Whatever keys clients can make a label's entries take, what they hold in
  // the store stays bounded: entries live one TTL, so at most two windows'
  // budgets are live at once. Past it a page is served, just not stored.
  const storeEntry = async (key: string, entry: StoredEntry, ttlMs: number, label: string) => {
    const encoded = encodeEntry(entry)
    const maxBytes = options.storeMaxBytesPerLabel
    if (maxBytes <= 0) return store.set(key, encoded, ttlMs)
    const window = Math.floor(Date.now() / ttlMs)
    const budget = { key: keys.budget(label, window), maxBytes, windowMs: 2 * ttlMs }
    if (!(await store.setWithinBudget(key, encoded, ttlMs, budget))) refused(label)
  }

  async function loadUnderLock(
    key: string,
    ttlMs: number,
    load: JsonLoader,
    label: string,
  ): Promise<StoredEntry> {
    const lockKey = keys.lock(key)
    const locked = await store.setIfAbsent(lockKey, '1', options.lockTtlMs).catch((error: unknown) => {
      report(error, 'lock')
      return false
    })
    if (!locked) {
      const loaded = await waitForOtherLoader(key)
      if (loaded) return loaded
    }
    try {
      const entry = createEntry(await load(), ttlMs)
      await storeEntry(key, entry, ttlMs, label).catch((error: unknown) => report(error, 'set'))
      return entry
    } finally {
      if (locked) await store.delete(lockKey).catch((error: unknown) => report(error, 'unlock'))
    }
  }

  const loadTogether = createKeyedBatcher(async (_key: string, loads: JsonLoader[]) => {
    const entry = createEntry(await (loads[0] as JsonLoader)(), 0)
    return loads.map(() => entry)
  })

  const bypass = async (load: JsonLoader, label: string, key?: string): Promise<CachedJson> => {
    stats.misses++
    observe(label, 'bypass')
    const entry = key === undefined ? createEntry(await load(), 0) : await loadTogether(key, load)
    return { json: entry.json, etag: entry.etag, hit: false }
  }

  const hit = (entry: StoredEntry, label: string, outcome: 'hit_local' | 'hit_store'): CachedJson => {
    stats.hits++
    observe(label, outcome)
    return { json: entry.json, etag: entry.etag, hit: true }
  }

  async function read(key: string, ttlSeconds: number, load: JsonLoader, label: string): Promise<CachedJson> {
    if (ttlSeconds <= 0) return bypass(load, label, key)
    const near = local.get(key)
    if (near !== undefined) {
      stats.localHits++
      return hit(near, label, 'hit_local')
    }
    let stored: StoredEntry | undefined
    try {
      stored = await readStored(key)
    } catch (error) {
      report(error, 'get')
      return bypass(load, label, key)
    }
    if (stored !== undefined) {
      local.set(key, stored)
      return hit(stored, label, 'hit_store')
    }
    let shared = inflight.get(key)
    if (!shared) {
      shared = loadUnderLock(key, ttlSeconds * 1000, load, label).finally(() => inflight.delete(key))
      inflight.set(key, shared)
    }
    stats.misses++
    observe(label, 'miss')
    const entry = await shared
    local.set(key, entry)
    return { json: entry.json, etag: entry.etag, hit: false }
  }

  const put = async (key: string, ttlSeconds: number, json: string, label: string) => {
    const entry = createEntry(json, ttlSeconds * 1000)
    await storeEntry(key, entry, ttlSeconds * 1000, label)
    local.set(key, entry)
  }

  return { read, bypass, put, local: () => local.size() }
}
