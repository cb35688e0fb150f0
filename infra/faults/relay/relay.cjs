// A TCP relay the fault matrix puts between the api replicas and Redis, so it
// can slow the link down (added latency) without touching either side.
//   TARGET=redis:6379 LISTEN=6379 CONTROL=9001 node relay.cjs
// Control (inside the container): GET http://127.0.0.1:9001/latency?ms=50
// (0 for none); GET /state returns the current latency.
const net = require('node:net')
const http = require('node:http')

const [targetHost, targetPort] = (process.env.TARGET ?? 'redis:6379').split(':')
let latencyMs = 0

const delayed = (from, to) =>
  from.on('data', (chunk) => {
    const send = () => to.writable && to.write(chunk)
    if (latencyMs > 0) setTimeout(send, latencyMs)
    else send()
  })

net
  .createServer((client) => {
    const upstream = net.createConnection(Number(targetPort), targetHost)
    delayed(client, upstream)
    delayed(upstream, client)
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ]) {
      a.on('error', () => b.destroy())
      a.on('close', () => b.destroy())
    }
  })
  .listen(Number(process.env.LISTEN ?? 6379))

http
  .createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://relay')
    if (url.pathname === '/latency') latencyMs = Math.max(0, Number(url.searchParams.get('ms') ?? 0))
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ latencyMs }))
  })
  .listen(Number(process.env.CONTROL ?? 9001), '127.0.0.1')
