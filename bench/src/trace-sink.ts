import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Teardown } from '@app/testing'

/**
 * Where the traced API exports its spans (OTLP over HTTP): reads each batch
 * and answers 200, as a collector would, keeping nothing. Its URL.
 */
export async function startTraceSink(cleanup: Teardown): Promise<string> {
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      response.setHeader('content-type', request.headers['content-type'] ?? 'application/x-protobuf')
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
