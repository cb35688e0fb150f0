import type { CacheStore } from './store.ts'

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

/** Cache-aside reads; a TTL of 0 bypasses the cache (load, never store). */
export interface CacheReads {
  /** Serialized JSON, returned as stored (never parsed). Only one caller loads a
   * missing key at a time: one per process (shared promise) and one across
   * processes (a short store lock). */
  getOrSetJson(key: string, ttlSeconds: number, load: JsonLoader): Promise<CachedJson>
  /** The same for any JSON value, parsed on the way out. */
  getOrSet<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<CacheResult<T>>
}

/** Keys that are dropped together: every read goes through the group's revision (groups.ts). */
export interface CacheGroup extends CacheReads {
  /** A change committed at `revision`: drops every key of older revisions, on every
   * replica. Never throws: a write that reached the database must not fail because
   * the cache is away. */
  invalidate(revision: number): Promise<void>
  /** `invalidate(revision)` that stores `json` as `key`'s entry at `revision` first, so
   * the next reads of `key` hit. `json` must be `key`'s page as of exactly `revision`
   * (read in one snapshot with it). Never throws. */
  publish(key: string, revision: number, ttlSeconds: number, json: string): Promise<void>
  /** The source of truth is at `revision` (e.g. polled): this process never reads an
   * older one, and lifts the store's if it lags. */
  observe(revision: number): void
}

export interface GroupOptions {
  /** The source of truth's current revision, asked when no revision is known yet. */
  currentRevision?: () => Promise<number>
}

export interface WindowCount {
  /** This event's number in the window, from 1. */
  count: number
  /** Milliseconds until the window ends and counting starts again. */
  resetMs: number
}

export interface CacheStats {
  hits: number
  /** The part of `hits` served by the in-process tier. */
  localHits: number
  misses: number
  errors: number
  /** Loaded entries not stored, because their group had used its store budget (`groupMaxBytes`). */
  unstored: number
  /** What the in-process tier holds now. */
  local: { entries: number; bytes: number }
}

/** How a read was served: the in-process tier, the store, the loader (a miss), or the loader with the cache not used. */
export type ReadOutcome = 'hit_local' | 'hit_store' | 'miss' | 'bypass'

export interface Cache extends CacheReads {
  readonly kind: CacheStore['kind']
  group(name: string, options?: GroupOptions): CacheGroup
  /** Atomic counters: never expire. Concurrent increments share one INCRBY; each
   * caller still gets its own value. Throw CacheUnavailableError when the store is away. */
  increment(counter: string): Promise<number>
  readCounter(counter: string): Promise<number>
  /** Counts one event in a fixed window that starts with the first event and
   * lasts `windowMs` (e.g. a rate limit). Concurrent calls for one name share
   * one round trip; each gets its own count, and when the window resets. */
  countInWindow(name: string, windowMs: number): Promise<WindowCount>
  /** Increments `counter` once per `once.key`: the first call counts and remembers
   * `once.tag` with the total for `once.ttlMs`; a repeat changes nothing and gets the
   * first call's total and tag. Atomic, in one round trip. */
  incrementOnce(counter: string, once: { key: string; tag: string; ttlMs: number }): Promise<OnceResult>
  /** SET NX PX: true when this caller took the claim, false while someone holds it. */
  claim(name: string, ttlMs: number): Promise<boolean>
  release(name: string): Promise<void>
  ping(): Promise<void>
  stats(): CacheStats
}

export interface OnceResult {
  /** The counter's total after the first call for the key. */
  value: number
  /** What the first call stored with it. */
  tag: string
  /** True for the call that counted. */
  first: boolean
}

export interface CacheOptions {
  /** Namespace of every key, e.g. `app` → `app:cache:…`, `app:counter:…`. */
  prefix: string
  /** Entries kept in process in front of the store (0: none). Default 1000. */
  localMaxEntries?: number
  /** Bytes the in-process tier may hold (0: none). Default 16 MiB. */
  localMaxBytes?: number
  /**
   * Bytes the entries of one group (or one plain key's name up to its first
   * ':') may add to the store per window of their TTL; live bytes stay under
   * twice this. Past it entries are served but not stored. 0: no bound. Default 32 MiB.
   */
  groupMaxBytes?: number
  /** How long a loader may hold the cross-process lock. */
  lockTtlMs?: number
  /** How long a caller waits for another process's loader before loading itself. */
  lockWaitMs?: number
  lockPollMs?: number
  /** Store failures are reported here and otherwise treated as misses. */
  onError?: (error: unknown, operation: string) => void
  /** Every read, with its group (a plain key's name up to its first ':') and how it was served. */
  onRead?: (group: string, outcome: ReadOutcome) => void
  /** An entry loaded but not stored: its group reached `groupMaxBytes`. */
  onUnstored?: (group: string) => void
}
