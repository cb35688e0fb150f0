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
        // Commands issued in the same tick go out in one write.
        enableAutoPipelining: true,
      })
      // ioredis reconnects on its own and emits an error per attempt: say it
      // once per outage instead of once per retry.
      let down = false
      app.redis.on('error', (error: Error) => {
        if (!down) app.log.warn({ reason: error.message }, 'redis unreachable, reconnecting')
        down = true
      })
      app.redis.on('ready', () => {
        if (down) app.log.info('redis reconnected')
        down = false
      })
      store = createRedisStore(app.redis)
    }
    const cache = createCache(store, {
      prefix: keyPrefix,
      localMaxEntries: config.cache.localMaxEntries,
      onError: (error, operation) => app.log.warn({ err: error, operation }, 'cache operation failed'),
    })
    app.decorate('cache', cache)
  },
  { name: 'cache' },
)
