import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { LoadTool } from './load-tool.ts'

const run = promisify(execFile)
const SCRIPT = new URL('./wrk.lua', import.meta.url).pathname
const MIX_SCRIPT = new URL('./wrk-mix.lua', import.meta.url).pathname

interface WrkSummary {
  requests: number
  durationUs: number
  p50Us: number
  p99Us: number
  errors: number
}

/** wrk (C, one thread): leaves more of a small machine to the server than a Node load generator. */
export const wrk: LoadTool = {
  name: 'wrk',
  async run(request, { connections, durationSeconds }) {
    const { stdout } = await run(
      'wrk',
      [
        '-t1',
        `-c${connections}`,
        `-d${durationSeconds}s`,
        '--timeout',
        '2s',
        '-s',
        request.mix ? MIX_SCRIPT : SCRIPT,
        request.url,
      ],
      {
        env: {
          ...process.env,
          BENCH_METHOD: request.method,
          BENCH_BODY: request.body ?? '',
          BENCH_MIX: (request.mix ?? []).map((r) => `${r.method} ${r.path} ${r.body ?? ''}`).join('\n'),
        },
        timeout: (durationSeconds + 30) * 1000,
      },
    )
    const line = /^BENCH_RESULT (.*)$/m.exec(stdout)?.[1]
    if (!line) throw new Error(`wrk printed no summary:\n${stdout}`)
    const summary = JSON.parse(line) as WrkSummary
    return {
      requests: summary.requests,
      requestsPerSecond: summary.requests / (summary.durationUs / 1e6),
      p50Ms: summary.p50Us / 1000,
      p99Ms: summary.p99Us / 1000,
      errors: summary.errors,
    }
  },
}

export async function hasWrk(): Promise<boolean> {
  return run('wrk', ['--version']).then(
    () => true,
    // wrk --version exits 1 after printing its version.
    (error: { stdout?: string }) => /wrk/.test(error.stdout ?? ''),
  )
}
