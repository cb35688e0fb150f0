import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net'
import type { Teardown } from './teardown.ts'

/**
 * How the proxy treats traffic: `pass` forwards it; `cut` drops every
 * connection and refuses new ones (the server is down); `stall` accepts and
 * forwards nothing either way (a hung server, or a network that lost the
 * route); `half-open` keeps the connections but drops the server's answers
 * (the client's writes go through, nothing comes back).
 */
export type ProxyMode = 'pass' | 'cut' | 'stall' | 'half-open'

export interface TcpProxy {
  /** The target URL rewritten to go through the proxy. */
  url: string
  /** Drops every connection and refuses new ones: the server looks down. */
  cut(): void
  /** Back to forwarding (without added latency). */
  restore(): void
  /** Accepts connections and forwards nothing: the server looks hung. */
  stall(): void
  /** Forwards the client's bytes, drops the server's: writes vanish unanswered. */
  halfOpen(): void
  /** Delays every chunk, each way, by `ms` (0 for none). */
  delay(ms: number): void
  readonly mode: ProxyMode
}

const DEFAULT_PORTS: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379 }

/** Sits between the app and a real server so a test can make the server fail the ways networks do. */
export async function startTcpProxy(t: Teardown, targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl)
  const targetPort = Number(target.port) || DEFAULT_PORTS[target.protocol] || 0
  const sockets = new Set<Socket>()
  let mode: ProxyMode = 'pass'
  let latencyMs = 0

  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    return socket
  }

  /** Forwards `from` to `to` as the current mode says; `answers` is the server-to-client direction. */
  const forward = (from: Socket, to: Socket, answers: boolean) => {
    from.on('data', (chunk: Buffer) => {
      if (mode === 'stall' || (mode === 'half-open' && answers)) return
      const send = () => to.writable && to.write(chunk)
      if (latencyMs > 0) setTimeout(send, latencyMs)
      else send()
    })
  }

  const server = createServer((client) => {
    if (mode === 'cut') return client.destroy()
    const upstream = track(createConnection(targetPort, target.hostname))
    track(client)
    forward(client, upstream, false)
    forward(upstream, client, true)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
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
    get mode() {
      return mode
    },
    cut() {
      mode = 'cut'
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      mode = 'pass'
      latencyMs = 0
    },
    stall() {
      mode = 'stall'
    },
    halfOpen() {
      mode = 'half-open'
    },
    delay(ms) {
      latencyMs = ms
    },
  }
}
