import { setTimeout as sleep } from 'node:timers/promises'
import { type Config, ConfigError, readConfig } from '@app/config'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { describeBackends } from './backends.ts'

let config: Config
try {
  config = readConfig()
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(error.message)
  process.exit(1)
}

const app = await buildApp(config)

// Keep SHUTDOWN_TIMEOUT_MS below the orchestrator's stop timeout (Compose: stop_grace_period).
closeWithGrace({ delay: config.shutdown.timeoutMs, logger: app.log }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'fatal error, shutting down')
  else app.log.info({ signal, drainMs: config.shutdown.drainMs }, 'draining, then shutting down')
  // Readiness turns 503 first so the proxy stops routing here while
  // in-flight requests finish; only then does close() refuse new ones.
  app.startDraining()
  if (!err) await sleep(config.shutdown.drainMs)
  await app.close()
})

await app.listen({ host: config.http.host, port: config.http.port })
app.log.info(describeBackends(config), 'backends')
