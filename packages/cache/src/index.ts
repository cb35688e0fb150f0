export {
  type Cache,
  type CachedJson,
  type CacheGroup,
  type CacheOptions,
  type CacheResult,
  type CacheStats,
  CacheUnavailableError,
  createCache,
  type JsonLoader,
  type WindowCount,
} from './cache.ts'
export { createMemoryStore } from './memory-store.ts'
export { createRedisStore } from './redis-store.ts'
export type { CacheStore } from './store.ts'
export { jsonEtag } from './stored-entry.ts'
