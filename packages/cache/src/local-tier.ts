import type { StoredEntry } from './stored-entry.ts'

/**
 * The in-process tier in front of the store: at most `maxEntries` entries,
 * the oldest dropped first, each until the absolute expiry the store copy
 * carries. It never decides freshness beyond that: grouped keys carry their
 * group's version, which is checked against the store on every read.
 */
export interface LocalTier {
  get(key: string): StoredEntry | undefined
  set(key: string, entry: StoredEntry): void
}

export function createLocalTier(maxEntries: number, now: () => number = Date.now): LocalTier {
  const entries = new Map<string, StoredEntry>()
  if (maxEntries <= 0) return { get: () => undefined, set: () => {} }
  return {
    get(key) {
      const entry = entries.get(key)
      if (entry && entry.expiresAt <= now()) {
        entries.delete(key)
        return undefined
      }
      return entry
    },
    set(key, entry) {
      entries.delete(key)
      entries.set(key, entry)
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
    },
  }
}
