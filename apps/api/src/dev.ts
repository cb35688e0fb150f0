import { resolve } from 'node:path'
import { type Config, ConfigError, readConfig } from '@app/config'
import { describeBackends } from './backends.ts'
import { type EmbeddedPostgres, startEmbeddedPostgres } from './dev/embedded-postgres.ts'
import { runWithReload } from './dev/reloader.ts'

/**
 * `pnpm dev`: the server with hot reload. With no DATABASE_URL it first starts
 * an embedded PostgreSQL; with no REDIS_URL the server uses its in-process cache.
 */
const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: process.env.NODE_ENV || 'development' }
let config: Config
try {
  config = readConfig(env)
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}

let embedded: EmbeddedPostgres | undefined
if (config.database.url === undefined) {
  embedded = await startEmbeddedPostgres(resolve(config.database.embeddedDataDir))
  env.DATABASE_URL = embedded.url
  // PGlite is a single session: one connection, so transactions never interleave.
  env.DATABASE_POOL_MAX = '1'
}

const backends = describeBackends(readConfig(env))
const postgres = embedded ? `embedded PGlite (${config.database.embeddedDataDir})` : backends.postgres
const cache = config.redis.url ? backends.cache : `${backends.cache} (set REDIS_URL to use Redis)`
console.log(`pnpm dev: postgres = ${postgres} · cache = ${cache} · http://localhost:${config.http.port}`)

const root = resolve(import.meta.dirname, '../../..')
const server = runWithReload(['--conditions=development', 'src/server.ts'], env, [
  resolve(root, 'apps/api/src'),
  resolve(root, 'packages'),
])

async function stop(): Promise<void> {
  await server.stop()
  await embedded?.stop()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
