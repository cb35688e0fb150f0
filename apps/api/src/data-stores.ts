import type { Config } from '@app/config'

/** Which Postgres and cache the app talks to, without credentials: for the start-up log line. */
export function describeDataStores(config: Config): { postgres: string; cache: string } {
  return {
    postgres: config.database.url ? withoutCredentials(config.database.url) : 'not configured',
    cache: config.redis.url ? `redis ${withoutCredentials(config.redis.url)}` : 'in-process memory',
  }
}

function withoutCredentials(url: string): string {
  const parsed = new URL(url)
  return `${parsed.hostname}:${parsed.port || 'default'}${parsed.pathname}`
}
