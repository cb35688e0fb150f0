import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { LoadOptions, LoadResult } from './load-tool.ts'

const run = promisify(execFile)
const SCRIPTS = {
  insert: new URL('./pgbench-insert.sql', import.meta.url).pathname,
  list: new URL('./pgbench-list.sql', import.meta.url).pathname,
}

/**
 * What PostgreSQL itself does on the same server and table, with one INSERT
 * per transaction or the list's first-page query (the API's SQL and
 * parameter): pgbench, prepared statements, as many connections as the HTTP
 * scenarios have clients. Its latency percentiles are not collected.
 */
export async function pgbench(
  databaseUrl: string,
  options: LoadOptions,
  script: keyof typeof SCRIPTS = 'insert',
): Promise<LoadResult> {
  const { stdout } = await run(
    'pgbench',
    [
      '--no-vacuum',
      '--protocol=prepared',
      `--client=${options.connections}`,
      '--jobs=2',
      `--time=${options.durationSeconds}`,
      `--file=${SCRIPTS[script]}`,
      databaseUrl,
    ],
    { timeout: (options.durationSeconds + 30) * 1000 },
  )
  const tps = Number(/^tps = ([\d.]+)/m.exec(stdout)?.[1])
  const processed = Number(/^number of transactions actually processed: (\d+)/m.exec(stdout)?.[1])
  const failed = Number(/^number of failed transactions: (\d+)/m.exec(stdout)?.[1] ?? 0)
  // A run too short for its clients to connect (a 1 s warm-up on a loaded machine)
  // processes nothing and prints no tps: that is no throughput, not a failure.
  if (!Number.isFinite(tps) && processed === 0) {
    return { requests: 0, requestsPerSecond: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, errors: failed }
  }
  if (!Number.isFinite(tps)) throw new Error(`pgbench printed no tps:\n${stdout}`)
  return { requests: processed, requestsPerSecond: tps, p50Ms: Number.NaN, p99Ms: Number.NaN, errors: failed }
}

export async function hasPgbench(): Promise<boolean> {
  return run('pgbench', ['--version']).then(
    () => true,
    () => false,
  )
}
