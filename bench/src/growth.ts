import { createHmac } from 'node:crypto'
import pg from 'pg'
import type { LoadTool } from './load/load-tool.ts'
import type { Server } from './processes.ts'
import { median } from './summary.ts'

export interface GrowthRow {
  /** Messages in the table. */
  size: number
  /** `first`: the first page from Postgres (what a cache miss loads); `deep`: the oldest page, by cursor. */
  page: 'first' | 'deep'
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
}

/** A cursor the API accepts (apps/api/src/cursor.ts: `<ms>.<id>` and its truncated HMAC, base64url). */
function signCursor(secret: string, createdAt: Date, id: number): string {
  const payload = Buffer.from(`${createdAt.getTime()}.${id}`).toString('base64url')
  const tag = createHmac('sha256', secret).update(payload).digest().subarray(0, 16).toString('base64url')
  return `${payload}.${tag}`
}

/**
 * Cost as data grows: for each size, the table is emptied and filled in SQL
 * (generate_series, one row a millisecond apart), then the first page and the
 * oldest page are read from Postgres through the API with the list cache off,
 * in interleaved rounds. A cached miss runs this same loader plus a Redis GET
 * and SET whose cost does not depend on the table.
 */
export async function runGrowth(options: {
  databaseUrl: string
  server: Server
  tool: LoadTool
  sizes: number[]
  connections: number
  rounds: number
  durationSeconds: number
  cursorSecret: string
  progress: (message: string) => void
}): Promise<GrowthRow[]> {
  const client = new pg.Client({ connectionString: options.databaseUrl })
  await client.connect()
  const rows: GrowthRow[] = []
  try {
    for (const size of options.sizes) {
      const started = performance.now()
      await client.query('truncate messages restart identity cascade')
      await client.query(
        `insert into messages (content, created_at)
         select 'Seeded message number ' || n || ', long enough to look like a real one.',
                now() - make_interval(secs => ($1::int - n) / 1000.0)
         from generate_series(1, $1::int) as n`,
        [size],
      )
      await client.query('vacuum analyze messages')
      const { rows: oldest } = await client.query<{ id: number; created_at: Date }>(
        'select id, created_at from messages order by created_at, id offset 20 limit 1',
      )
      const deep = oldest[0]
      options.progress(
        `growth: ${size.toLocaleString('en-US')} messages seeded in ${Math.round(performance.now() - started)} ms`,
      )
      const paths = {
        first: '/api/messages',
        deep: deep
          ? `/api/messages?cursor=${encodeURIComponent(signCursor(options.cursorSecret, deep.created_at, deep.id))}`
          : '/api/messages',
      }
      for (const path of Object.values(paths)) {
        const response = await fetch(`${options.server.url}${path}`)
        await response.arrayBuffer()
        if (response.status !== 200) throw new Error(`growth: ${path} answered ${response.status}`)
      }
      const results: Record<'first' | 'deep', Awaited<ReturnType<LoadTool['run']>>[]> = {
        first: [],
        deep: [],
      }
      const load = (page: 'first' | 'deep', durationSeconds: number) =>
        options.tool.run(
          { url: `${options.server.url}${paths[page]}`, method: 'GET' },
          { connections: options.connections, durationSeconds },
        )
      await load('first', 1)
      await load('deep', 1)
      for (let round = 0; round < options.rounds; round++) {
        for (const page of round % 2 ? (['deep', 'first'] as const) : (['first', 'deep'] as const)) {
          const result = await load(page, options.durationSeconds)
          results[page].push(result)
          options.progress(
            `growth ${size} ${page}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99Ms.toFixed(2)} ms`,
          )
        }
      }
      for (const page of ['first', 'deep'] as const) {
        const runs = results[page]
        rows.push({
          size,
          page,
          requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
          p50Ms: median(runs.map((r) => r.p50Ms)),
          p99Ms: median(runs.map((r) => r.p99Ms)),
          errors: runs.reduce((sum, r) => sum + r.errors, 0),
        })
      }
    }
  } finally {
    await client.end()
  }
  return rows
}
