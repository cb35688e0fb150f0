import type { CacheKeys } from './keys.ts'
import type { CacheStore } from './store.ts'
import type { CacheStats, ReadOutcome } from './types.ts'

/** What the cache's parts share: the store, its key layout, and the process's stats. */
export interface CacheContext {
  readonly store: CacheStore
  readonly keys: CacheKeys
  readonly stats: Omit<CacheStats, 'local'>
  /** Counts a store failure and passes it to the caller's `onError`. */
  report(error: unknown, operation: string): void
  /** Tells the caller's `onRead` how a read was served. */
  observe(label: string, outcome: ReadOutcome): void
  /** An entry of `label` was not stored: its label had used its store budget. */
  refused(label: string): void
}
