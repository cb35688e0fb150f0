/**
 * Every key the cache writes, under one prefix. Cache entries and locks carry
 * a TTL (once records and claims too); counters and group revisions never do, so a `volatile-*` eviction
 * policy can only ever evict what is safe to lose.
 */
export interface CacheKeys {
  entry(key: string): string
  groupEntry(group: string, revision: number, key: string): string
  groupRevision(group: string): string
  lock(entryKey: string): string
  counter(name: string): string
  window(name: string): string
  /** Bytes a label's entries added to the store in one window of their TTL. */
  budget(label: string, window: number): string
  /** What a once-only operation recorded (e.g. an idempotent visit). */
  once(name: string): string
  claim(name: string): string
}

export function cacheKeys(prefix: string): CacheKeys {
  return {
    entry: (key) => `${prefix}:cache:${key}`,
    groupEntry: (group, revision, key) => `${prefix}:cache:${group}:${revision}:${key}`,
    groupRevision: (group) => `${prefix}:revision:${group}`,
    // The lock of an entry is named after the entry's own key, which already carries the prefix.
    lock: (entryKey) => `${prefix}:lock:${entryKey}`,
    counter: (name) => `${prefix}:counter:${name}`,
    window: (name) => `${prefix}:window:${name}`,
    budget: (label, window) => `${prefix}:budget:${label}:${window}`,
    once: (name) => `${prefix}:once:${name}`,
    claim: (name) => `${prefix}:claim:${name}`,
  }
}
