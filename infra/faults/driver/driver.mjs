// The fault matrix's load: runs in a container on the stack's edge network, so
// it reaches the proxy as a client does and every api replica directly (the
// staleness probes). It records every request; the test on the host reads the
// records through the control port and decides what they mean.
//   PROXY=http://proxy:8080 API=api:3000 node driver.mjs
// Control (CONTROL, default 9000): GET /records?after=N, GET /acks,
// GET /stop (finishes in-flight writes).
import { lookup } from 'node:dns/promises'
import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'

const PROXY = process.env.PROXY ?? 'http://proxy:8080'
const [API_HOST, API_PORT] = (process.env.API ?? 'api:3000').split(':')
const READERS = Number(process.env.READERS ?? 3)
const WRITERS = Number(process.env.WRITERS ?? 3)
const VISITORS = Number(process.env.VISITORS ?? 1)
const GIVE_UP_MS = 60_000
const GET_RETRIES = 3

/** Every request: [start, end, kind, status, code, replica] (status 0: no answer). */
const records = []
/** Every write that got its 2xx: what it was, when, and what it created. */
const acks = []
let running = true
let writesInFlight = 0

function record(kind, start, status, code = '', replica = '') {
  const entry = [start, Date.now(), kind, status, code, replica]
  records.push(entry)
  return entry
}

/**
 * One request. `retriable`: the caller sends it again if it gets no answer
 * (a write with its Idempotency-Key), so a failure is marked `retried:`.
 */
async function call(kind, url, init = {}, replica = '', retried = 0, retriable = false) {
  const start = Date.now()
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) })
    const text = await response.text()
    const type = response.headers.get('content-type') ?? ''
    const body = type.includes('json') && text ? JSON.parse(text) : undefined
    const entry = record(kind, start, response.status, body?.code ?? '', replica)
    return {
      status: response.status,
      body,
      entry,
      replayed: response.headers.get('idempotent-replayed') === 'true',
    }
  } catch (error) {
    const code = String(error.cause?.code ?? error.name)
    // As browsers do (RFC 9110 §9.2.2): a GET whose connection closed under it is
    // sent again. fetch's pool may hand the retry another idle connection the
    // proxy is closing (an nginx reload closes them all), so up to three times.
    // Each failed attempt is kept, marked.
    const again = retried < GET_RETRIES && (init.method ?? 'GET') === 'GET' && code !== 'TimeoutError'
    record(kind, start, 0, again || retriable ? `retried:${code}` : code, replica)
    return again ? call(kind, url, init, replica, retried + 1) : { status: 0 }
  }
}

const post = (key, body) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'idempotency-key': `"${key}"` },
  body: JSON.stringify(body ?? {}),
})

/** One logical write, retried with its key until it is acknowledged (or refused for good). */
async function write(kind, path, key, body) {
  writesInFlight++
  const started = Date.now()
  try {
    for (let attempt = 0; Date.now() - started < GIVE_UP_MS; attempt++) {
      const reply = await call(kind, `${PROXY}${path}`, post(key, body), '', 0, true)
      if (reply.status === 200 || reply.status === 201) {
        acks.push({
          kind,
          key,
          content: body?.content,
          at: Date.now(),
          attempts: attempt + 1,
          result: reply.body,
        })
        return
      }
      // A 4xx other than 409 (in flight) is a verdict: retrying cannot change it.
      if (reply.status >= 400 && reply.status < 500 && reply.status !== 409) return
      await sleep(Math.min(100 * 2 ** attempt, 1000))
    }
  } finally {
    writesInFlight--
  }
}

async function writer(id) {
  for (let n = 0; running; n++) {
    const key = `w${id}-${process.pid}-${n}`
    await write('post', '/api/messages', key, { content: `fault-matrix ${key}` })
    await sleep(20)
  }
}

async function visitor(id) {
  for (let n = 0; running; n++) {
    await write('visit', '/api/visits', `v${id}-${process.pid}-${n}`)
    await sleep(50)
  }
}

async function reader() {
  while (running) {
    await call('read', `${PROXY}/api/messages?limit=20`)
    await sleep(10)
  }
}

/** Each replica's first page, read directly: what a client of that replica would see. */
async function probes() {
  while (running) {
    const replicas = await lookup(API_HOST, { all: true, family: 4 }).catch(() => [])
    await Promise.all(
      replicas.map(async ({ address }) => {
        const reply = await call('probe', `http://${address}:${API_PORT}/api/messages?limit=20`, {}, address)
        // The newest id on the page: stale if an acknowledged message is newer.
        if (reply.status === 200) reply.entry.push(Math.max(0, ...reply.body.items.map((item) => item.id)))
      }),
    )
    await sleep(100)
  }
}

const loops = [
  ...Array.from({ length: WRITERS }, (_, i) => writer(i)),
  ...Array.from({ length: VISITORS }, (_, i) => visitor(i)),
  ...Array.from({ length: READERS }, () => reader()),
  probes(),
]

createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://driver')
  const send = (value) => {
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify(value))
  }
  if (url.pathname === '/records') return send(records.slice(Number(url.searchParams.get('after') ?? 0)))
  if (url.pathname === '/acks') return send(acks)
  if (url.pathname === '/stop') {
    running = false
    await Promise.all(loops)
    return send({ writesInFlight })
  }
  response.statusCode = 404
  response.end()
}).listen(Number(process.env.CONTROL ?? 9000))
