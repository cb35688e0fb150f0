import type { CacheContext } from './context.ts'
import { createCounters } from './counters.ts'
import { createGroup } from './groups.ts'
import { cacheKeys } from './keys.ts'
import { createOnce } from './once.ts'
import { parsedReads } from './parsed.ts'
import { createReadThrough } from './read-through.ts'
import type { CacheStore } from './store.ts'
import type { Cache, CacheOptions, CacheStats } from './types.ts'
import { unavailableOnError } from './unavailable.ts'

/**
 * Cache-aside reads (read-through.ts), versioned groups (groups.ts) and
 * counters (counters.ts) over one store. Store failures on reads are misses;
 * counters and ping throw CacheUnavailableError.
 */
export function createCache(store: CacheStore, options: CacheOptions): Cache {
  const stats: Omit<CacheStats, 'local'> = { hits: 0, localHits: 0, misses: 0, errors: 0, unstored: 0 }
  const context: CacheContext = {
    store,
    keys: cacheKeys(options.prefix),
    stats,
    report(error, operation) {
      stats.errors++
      options.onError?.(error, operation)
    },
    observe: (label, outcome) => options.onRead?.(label, outcome),
    refused(label) {
      stats.unstored++
      options.onUnstored?.(label)
    },
  }
  const reads = createReadThrough(context, {
    localMaxEntries: options.localMaxEntries ?? 1000,
    localMaxBytes: options.localMaxBytes ?? 16 * 1024 * 1024,
    storeMaxBytesPerLabel: options.groupMaxBytes ?? 32 * 1024 * 1024,
    lockTtlMs: options.lockTtlMs ?? 5000,
    lockWaitMs: options.lockWaitMs ?? 2000,
    lockPollMs: options.lockPollMs ?? 20,
  })

  return {
    kind: store.kind,
    ...parsedReads((key, ttlSeconds, load) =>
      reads.read(context.keys.entry(key), ttlSeconds, load, key.split(':')[0] ?? key),
    ),
    group: (name, groupOptions) => createGroup(context, reads, name, groupOptions),
    ...createCounters(context),
    ...createOnce(context),
    ping: () => unavailableOnError('ping', () => store.ping()),
    stats: () => ({ ...stats, local: reads.local() }),
  }
}
