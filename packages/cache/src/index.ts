export { createBatcher } from './batcher.ts'
export { createCache } from './cache.ts'
export { createMemoryStore } from './memory-store.ts'
export { createRedisStore } from './redis-store.ts'
export type { CacheStore } from './store.ts'
export type {
  Cache,
  CachedJson,
  CacheGroup,
  CacheOptions,
  CacheReads,
  CacheResult,
  CacheStats,
  GroupOptions,
  JsonLoader,
  OnceResult,
  ReadOutcome,
  WindowCount,
} from './types.ts'
export { CacheUnavailableError } from './unavailable.ts'
