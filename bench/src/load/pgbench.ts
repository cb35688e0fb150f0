import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { LoadOptions, LoadResult } from './load-tool.ts'

const run = promisify(execFile)
const SCRIPT = new URL('./pgbench-insert.sql', import.meta.url).pathname

/**
 * What PostgreSQL itself does with one INSERT per transaction on the same
 * server and table: pgbench, prepared statements, as many connections as the
 * HTTP scenarios have clients. Its latency percentiles are not collected.
 */
export async function pgbench(databaseUrl: string, options: LoadOptions): Promise<LoadResult> {
  const { stdout } = await run(
    'pgbench',
    [
      '--no-vacuum',
      '--protocol=prepared',
      `--client=${options.connections}`,
      '--jobs=2',
      `--time=${options.durationSeconds}`,
      `--file=${SCRIPT}`,
      databaseUrl,
    ],
    { timeout: (options.durationSeconds + 30) * 1000 },
  )
  const tps = Number(/^tps = ([\d.]+)/m.exec(stdout)?.[1])
  const processed = Number(/^number of transactions actually processed: (\d+)/m.exec(stdout)?.[1])
  const failed = Number(/^number of failed transactions: (\d+)/m.exec(stdout)?.[1] ?? 0)
  if (!Number.isFinite(tps)) throw new Error(`pgbench printed no tps:\n${stdout}`)
  return { requests: processed, requestsPerSecond: tps, p50Ms: Number.NaN, p99Ms: Number.NaN, errors: failed }
}

export async function hasPgbench(): Promise<boolean> {
  return run('pgbench', ['--version']).then(
    () => true,
    () => false,
  )
}
