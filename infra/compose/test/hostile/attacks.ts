import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

/** A message of the maximum length whose JSON is as large as it can be (each character escaped). */
export const HEAVIEST_MESSAGE = '\u0001'.repeat(1000)

export interface Tally {
  requests: number
  statuses: Record<number, number>
}

const count = (tally: Tally, status: number) => {
  tally.requests++
  tally.statuses[status] = (tally.statuses[status] ?? 0) + 1
}

async function get(url: string): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(15_000) })
    return { status: response.status, body: await response.text() }
  } catch {
    return { status: 0, body: '' }
  }
}

/** `workers` loops taking jobs off one list. */
async function pool<T>(jobs: T[], workers: number, work: (job: T) => Promise<void>) {
  const queue = [...jobs]
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) await work(job)
    }),
  )
}

/** Posts `n` of the heaviest messages, as fast as the write limit lets one address. */
export async function postHeaviest(proxyUrl: string, n: number): Promise<Tally> {
  const tally: Tally = { requests: 0, statuses: {} }
  await pool(
    Array.from({ length: n }, (_, i) => i),
    4,
    async () => {
      const response = await fetch(`${proxyUrl}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: HEAVIEST_MESSAGE }),
      }).catch(() => undefined)
      await response?.arrayBuffer()
      count(tally, response?.status ?? 0)
    },
  )
  return tally
}

/**
 * Every page a client can name: for every `limit` from 1 to 100, the whole
 * board page by page with the cursors it was given, `rounds` times (the proxy
 * spreads the rounds over the replicas, so each builds its own pages).
 */
export async function everyPage(proxyUrl: string, rounds: number, workers = 8): Promise<Tally> {
  const tally: Tally = { requests: 0, statuses: {} }
  const walks = Array.from({ length: rounds * 100 }, (_, i) => (i % 100) + 1)
  await pool(walks, workers, async (limit) => {
    let cursor: string | null = null
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`
      const { status, body } = await get(`${proxyUrl}/api/messages?${query}`)
      count(tally, status)
      cursor = status === 200 ? (JSON.parse(body) as { nextCursor: string | null }).nextCursor : null
    } while (cursor)
  })
  return tally
}

/** Cursors of the right shape the service never issued: each would be a page of the attacker's choosing. */
export async function forgedCursors(proxyUrl: string, n: number): Promise<Tally> {
  const tally: Tally = { requests: 0, statuses: {} }
  const forged = Array.from({ length: n }, () => {
    const payload = Buffer.from(
      `${Date.now() - Math.floor(Math.random() * 1e9)}.${1 + Math.floor(Math.random() * 1e6)}`,
    )
    return `${payload.toString('base64url')}.${randomBytes(16).toString('base64url')}`
  })
  await pool(forged, 8, async (cursor) => {
    count(tally, (await get(`${proxyUrl}/api/messages?limit=100&cursor=${cursor}`)).status)
  })
  return tally
}

export interface SlowlorisResult {
  opened: number
  /** Connections the proxy closed, with how long after opening. */
  closedAfterMs: number[]
  /** Still open when the test gave up on them. */
  stillOpen: number
}

/**
 * `connections` clients that each send a request's headers one short line
 * every `trickleMs`, never finishing them, until the proxy closes them or
 * `giveUpMs` passes.
 */
export async function slowloris(
  host: string,
  port: number,
  connections: number,
  { trickleMs = 2000, giveUpMs = 90_000 } = {},
): Promise<SlowlorisResult> {
  const closedAfterMs: number[] = []
  const sockets: Socket[] = []
  const opened = await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<boolean>((resolve) => {
          const started = Date.now()
          const socket = connect({ host, port }, () => {
            socket.write('GET /api/visits HTTP/1.1\r\nHost: localhost\r\n')
            resolve(true)
          })
          const trickle = setInterval(
            () => socket.write(`X-${randomBytes(2).toString('hex')}: 1\r\n`),
            trickleMs,
          )
          socket.on('error', () => {})
          socket.on('close', () => {
            clearInterval(trickle)
            closedAfterMs.push(Date.now() - started)
            resolve(false)
          })
          sockets.push(socket)
        }),
    ),
  )
  const deadline = Date.now() + giveUpMs
  while (closedAfterMs.length < connections && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 250))
  const closed = [...closedAfterMs]
  for (const socket of sockets) socket.destroy()
  return {
    opened: opened.filter(Boolean).length,
    closedAfterMs: closed,
    stillOpen: connections - closed.length,
  }
}
