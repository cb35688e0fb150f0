import { createServer, type Server } from 'node:http'
import type { Registry } from '@prometheus-io/client'

/**
 * /metrics on a port of its own (METRICS_PORT): never behind the proxy or on
 * the public listener, so scraping needs a network the public cannot reach.
 */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end()
      return
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => response.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve) => server.listen(port, host, resolve))
  return server
}
