import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net'
import type { Teardown } from './teardown.ts'

export interface TcpProxy {
  /** The target URL rewritten to go through the proxy. */
  url: string
  /** Drops every connection and refuses new ones: the server looks down. */
  cut(): void
  restore(): void
}

const DEFAULT_PORTS: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379 }

/** Sits between the app and a real server so a test can take the server "down". */
export async function startTcpProxy(t: Teardown, targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl)
  const targetPort = Number(target.port) || DEFAULT_PORTS[target.protocol] || 0
  const sockets = new Set<Socket>()
  let down = false

  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    return socket
  }

  const server = createServer((client) => {
    if (down) return client.destroy()
    const upstream = track(createConnection(targetPort, target.hostname))
    track(client)
    client.pipe(upstream).pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )

  const url = new URL(targetUrl)
  url.hostname = '127.0.0.1'
  url.port = String((server.address() as AddressInfo).port)
  return {
    url: url.toString(),
    cut() {
      down = true
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      down = false
    },
  }
}
