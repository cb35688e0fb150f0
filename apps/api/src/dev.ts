import { resolve } from 'node:path'
import { readConfig } from '@app/config'
import { describeDataStores } from './data-stores.ts'
import { type EmbeddedPostgres, startEmbeddedPostgres } from './dev/embedded-postgres.ts'
import { runWithReload } from './dev/reloader.ts'
import { readConfigOrExit } from './read-config-or-exit.ts'

/**
 * `pnpm dev`: the server with hot reload. With no DATABASE_URL it first starts
 * an embedded PostgreSQL; with no REDIS_URL the server uses its in-process cache.
 */
const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: process.env.NODE_ENV || 'development' }
const config = readConfigOrExit(env)

let embedded: EmbeddedPostgres | undefined
if (config.database.url === undefined) {
  embedded = await startEmbeddedPostgres(resolve(config.database.embeddedDataDir))
  env.DATABASE_URL = embedded.url
  // PGlite is a single session: one connection, so transactions never interleave.
  env.DATABASE_POOL_MAX = '1'
}

const stores = describeDataStores(readConfig(env))
const postgres = embedded ? `embedded PGlite (${config.database.embeddedDataDir})` : stores.postgres
const cache = config.redis.url ? stores.cache : `${stores.cache} (set REDIS_URL to use Redis)`
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
