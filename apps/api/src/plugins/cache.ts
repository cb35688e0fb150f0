import { type Cache, createCache, createMemoryStore, createRedisStore } from '@app/cache'
import type { Config } from '@app/config'
import fastifyRedis from '@fastify/redis'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

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
      const client = new Redis(url, {
        // Fail fast instead of queueing: a cache that is away is a miss, not a hang.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: config.redis.commandTimeoutMs,
        connectTimeout: config.redis.connectTimeoutMs,
        connectionName: 'api',
        // Commands issued in the same tick go out in one write.
        enableAutoPipelining: true,
      })
      await app.register(fastifyRedis, { client })
      // QUIT needs a connection (with the offline queue off it throws without
      // one): closing during an outage only drops the socket.
      app.addHook('onClose', async () => {
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect())
        else client.disconnect()
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
      localMaxBytes: config.cache.localMaxBytes,
      groupMaxBytes: config.cache.groupMaxBytes,
      onError: (error, operation) => {
        app.meters.redisErrors.inc({ operation })
        app.log.warn({ err: error, operation }, 'cache operation failed')
      },
      onRead: (group, outcome) => app.meters.cacheRequests.inc({ group, outcome }),
      onUnstored: (group) => app.meters.cacheUnstored.inc({ group }),
    })
    app.decorate('cache', cache)
  },
  { name: 'cache', fastify: '5.x', dependencies: ['metrics'] },
)
