export {
  type Cache,
  type CacheGroup,
  type CacheOptions,
  type CacheResult,
  type CacheStats,
  CacheUnavailableError,
  createCache,
} from './cache.ts'
export { createMemoryStore } from './memory-store.ts'
export { createRedisStore } from './redis-store.ts'
export type { CacheStore } from './store.ts'
