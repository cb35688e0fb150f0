import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Config, ConfigError, readConfig } from '@app/config'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { describeBackends } from './backends.ts'

/**
 * `pnpm dev`: runs the server with hot reload (nodemon, see nodemon.json). With
 * no DATABASE_URL it first starts an embedded PostgreSQL (PGlite over the wire
 * protocol) that outlives reloads; with no REDIS_URL the server uses its
 * in-process cache.
 */
const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: process.env.NODE_ENV || 'development' }
let config: Config
try {
  config = readConfig(env)
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}

let embedded: { db: PGlite; server: PGLiteSocketServer } | undefined
if (config.database.url === undefined) {
  const dataDir = resolve(config.database.embeddedDataDir)
  await mkdir(dataDir, { recursive: true })
  const db = await PGlite.create(dataDir)
  // PGlite is one session: the socket server multiplexes clients onto it, so
  // the app keeps a single connection and never interleaves transactions.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 })
  await server.start()
  embedded = { db, server }
  env.DATABASE_URL = `postgres://postgres@${server.getServerConn()}/postgres`
  env.DATABASE_POOL_MAX = '1'
}

const backends = describeBackends(readConfig(env))
const postgres = embedded ? `embedded PGlite (${config.database.embeddedDataDir})` : backends.postgres
const cache = config.redis.url ? backends.cache : `${backends.cache} (set REDIS_URL to use Redis)`
console.log(`pnpm dev: postgres = ${postgres} · cache = ${cache} · http://localhost:${config.http.port}`)

// nodemon (chokidar) watches directories, so it also sees editors and git
// replacing a file by rename, which `node --watch` loses track of.
const nodemon = fileURLToPath(import.meta.resolve('nodemon/bin/nodemon.js'))
const server: ChildProcess = spawn(process.execPath, [nodemon, '--quiet'], { env, stdio: 'inherit' })

async function stop(): Promise<void> {
  server.kill('SIGTERM')
  await new Promise((done) => server.once('exit', done))
  await embedded?.server.stop()
  await embedded?.db.close()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
server.once('exit', (code) => {
  if (code !== null && code !== 0) process.exit(code)
})
