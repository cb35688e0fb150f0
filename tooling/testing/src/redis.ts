import { randomBytes } from 'node:crypto'
import { RedisContainer } from '@testcontainers/redis'
import { Redis } from 'ioredis'
import type { Teardown } from './teardown.ts'

export interface RedisNamespace {
  url: string
  /** A key prefix no other test file uses. */
  prefix: string
}

/**
 * Redis for one test file: REDIS_URL's server with a key prefix of its own
 * (its keys are deleted afterwards), else a container (REDIS_IMAGE).
 */
export async function useRedis(t: Teardown): Promise<RedisNamespace> {
  const prefix = `test-${randomBytes(6).toString('hex')}`
  const shared = process.env.REDIS_URL
  if (!shared) {
    const image = process.env.REDIS_IMAGE ?? 'redis:7-bookworm'
    const container = await new RedisContainer(image).start()
    t.teardown(() => container.stop())
    return { url: container.getConnectionUrl(), prefix }
  }
  t.teardown(() => deleteKeys(shared, prefix))
  return { url: shared, prefix }
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url)
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]))
    }
  } finally {
    redis.disconnect()
  }
}
