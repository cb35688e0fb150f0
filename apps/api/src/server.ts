import type { Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { describeDataStores } from './data-stores.ts'
import { startMetricsServer } from './metrics/server.ts'
import { readConfigOrExit } from './read-config-or-exit.ts'
import { TELEMETRY } from './telemetry.ts'

const config = readConfigOrExit()
const app = await buildApp(config)
let metrics: Server | undefined

// Keep SHUTDOWN_TIMEOUT_MS below the orchestrator's stop timeout (Compose: stop_grace_period).
closeWithGrace({ delay: config.shutdown.timeoutMs, logger: app.log }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'fatal error, shutting down')
  else app.log.info({ signal, drainMs: config.shutdown.drainMs }, 'draining, then shutting down')
  // Readiness turns 503 first so the proxy stops routing here while
  // in-flight requests finish; only then does close() refuse new ones.
  app.startDraining()
  if (!err) await sleep(config.shutdown.drainMs)
  await app.close()
  metrics?.close()
  // Spans still batched go out before the process ends (src/telemetry.ts).
  await (globalThis as { [TELEMETRY]?: { shutdown(): Promise<void> } })[TELEMETRY]?.shutdown()
})

await app.listen({ host: config.http.host, port: config.http.port })
if (config.metrics.enabled && config.metrics.port > 0) {
  metrics = await startMetricsServer(app.metricsRegistry, config.metrics.host, config.metrics.port)
}
if (metrics) app.log.info({ port: config.metrics.port }, 'metrics at /metrics')
app.log.info(describeDataStores(config), 'data stores')
