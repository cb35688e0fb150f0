import type { StoredEntry } from './stored-entry.ts'

/**
 * The in-process tier in front of the store: at most `maxEntries` entries and
 * `maxBytes` bytes, the oldest dropped first, each until the absolute expiry
 * the store copy carries. Bytes, because clients choose what is cached: a
 * count alone lets pages of the largest size fill the heap. It never decides
 * freshness beyond expiry: grouped keys carry their group's revision, which is
 * checked against the store on every read.
 */
export interface LocalTier {
  get(key: string): StoredEntry | undefined
  set(key: string, entry: StoredEntry): void
  size(): { entries: number; bytes: number }
}

/** What an entry costs the heap, at most: V8 keeps a string in 1 or 2 bytes a character. */
export function entryBytes(key: string, entry: StoredEntry): number {
  return 2 * (key.length + entry.json.length + entry.etag.length) + 64
}

export function createLocalTier(
  { maxEntries, maxBytes }: { maxEntries: number; maxBytes: number },
  now: () => number = Date.now,
): LocalTier {
  const entries = new Map<string, { entry: StoredEntry; bytes: number }>()
  let bytes = 0
  if (maxEntries <= 0 || maxBytes <= 0) {
    return { get: () => undefined, set: () => {}, size: () => ({ entries: 0, bytes: 0 }) }
  }
  const drop = (key: string) => {
    const held = entries.get(key)
    if (!held) return
    entries.delete(key)
    bytes -= held.bytes
  }
  return {
    get(key) {
      const held = entries.get(key)
      if (held && held.entry.expiresAt <= now()) {
        drop(key)
        return undefined
      }
      return held?.entry
    },
    set(key, entry) {
      drop(key)
      const cost = entryBytes(key, entry)
      if (cost > maxBytes) return
      entries.set(key, { entry, bytes: cost })
      bytes += cost
      while (entries.size > maxEntries || bytes > maxBytes) drop(entries.keys().next().value as string)
    },
    size: () => ({ entries: entries.size, bytes }),
  }
}
