import { type Cache, createCache, createMemoryStore, createRedisStore } from '@app/cache'
import type { Config } from '@app/config'
import fastifyRedis from '@fastify/redis'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    cache: Cache
  }
}

/** Redis through @fastify/redis when REDIS_URL is set, else an in-process store. */
export default fp(
  async function cache(app: FastifyInstance, { config }: { config: Config }) {
    const { url, keyPrefix } = config.redis
    let store = createMemoryStore()
    if (url !== undefined) {
      await app.register(fastifyRedis, {
        url,
        // Fail fast instead of queueing: a cache that is away is a miss, not a hang.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: config.health.timeoutMs,
        connectTimeout: 5000,
        connectionName: 'api',
      })
      store = createRedisStore(app.redis)
    }
    const cache = createCache(store, {
      prefix: keyPrefix,
      onError: (error, operation) => app.log.warn({ err: error, operation }, 'cache operation failed'),
    })
    app.decorate('cache', cache)
  },
  { name: 'cache' },
)
