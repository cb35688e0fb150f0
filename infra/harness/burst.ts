import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)
const SCRIPT = new URL('./burst.lua', import.meta.url).pathname

export interface BurstResult {
  requests: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** 2xx–4xx answers but 429. */
  ok: number
  /** 429s: a rate limit, at the edge or in the api. */
  limited: number
  /** 503s: shed (OVERLOADED) or no replica free (UPSTREAM_UNAVAILABLE). */
  refused: number
  /** Any other 5xx. */
  failed: number
  socketErrors: number
  /** Requests unanswered within 2 s. */
  timeouts: number
}

/**
 * wrk (C, on the host, so the load costs the stack little CPU of its own)
 * holding `connections` open against `url` for `seconds`: a burst far past
 * what the replicas can serve on a small machine.
 */
export async function wrkBurst(url: string, seconds: number, connections: number): Promise<BurstResult> {
  const { stdout } = await execFileAsync(
    'wrk',
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '2s', '-s', SCRIPT, url],
    { timeout: (seconds + 30) * 1000 },
  )
  const line = /^BURST_RESULT (.*)$/m.exec(stdout)?.[1]
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`)
  const raw = JSON.parse(line)
  return {
    ...raw,
    requestsPerSecond: Math.round(raw.requests / (raw.durationUs / 1e6)),
    p50Ms: Math.round(raw.p50Us / 1000),
    p99Ms: Math.round(raw.p99Us / 1000),
  }
}
