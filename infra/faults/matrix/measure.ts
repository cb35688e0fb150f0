import type { BurstResult } from '../../harness/burst.ts'
import type { Ack, RequestRecord } from './load-driver.ts'

/** The 503s the API and its proxy document (problem+json `code`): a client retries after Retry-After. */
export const DOCUMENTED_503 = new Set([
  'DEPENDENCY_UNAVAILABLE',
  'OVERLOADED',
  'UPSTREAM_UNAVAILABLE',
  'DRAINING',
])

/** When one fault's window began, when the fault was injected and healed, when all was well again. */
export interface FaultWindow {
  start: number
  injected: number
  healed: number
  recovered: number
  end: number
}

/** What the board holds at the end: every message's id by its content. */
export type StoredMessages = Map<string, number[]>

export interface FaultRow {
  requests: number
  acknowledged: number
  missing: number
  duplicates: number
  worstStalenessMs: number
  documented503: number
  undocumented5xx: number
  unanswered: number
  /** GETs sent again after their connection closed under them (status 0, code retried:…). */
  retriedConnections: number
  /** A few of the requests that were neither 2xx/4xx nor a documented 503, to see why. */
  anomalies: RequestRecord[]
  recoveryMs: number
  p99Ms: number
  counterKept: boolean
  /** The burst's own answers, as wrk counted them. */
  burst?: BurstResult
  /** Why the counter check failed, when it did. */
  counterDetail?: string
}

const CLIENT_KINDS = new Set(['read', 'post', 'visit'])

const isRetried = ([, , , status, code]: RequestRecord) => status === 0 && code.startsWith('retried:')
const isUndocumented = ([, , , status, code]: RequestRecord) =>
  status >= 500 && !(status === 503 && DOCUMENTED_503.has(code))
const isUnanswered = (record: RequestRecord) => record[3] === 0 && !isRetried(record)

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number
}

const inWindow = (at: number, window: FaultWindow) => at >= window.start && at < window.end

/**
 * Staleness of a probe: how long the newest acknowledged message it does not
 * show had been acknowledged when the probe began (0 when it shows them all).
 */
function worstStaleness(records: RequestRecord[], acks: Ack[], window: FaultWindow): number {
  const posts = acks
    .filter((ack) => ack.kind === 'post' && ack.result.id !== undefined)
    .sort((a, b) => a.at - b.at)
  let worst = 0
  for (const [start, , kind, status, , , newest] of records) {
    if (kind !== 'probe' || status !== 200 || newest === undefined || !inWindow(start, window)) continue
    const missed = posts.find((ack) => ack.at < start && (ack.result.id as number) > newest)
    if (missed) worst = Math.max(worst, start - missed.at)
  }
  return worst
}

/** New visits (not replays of earlier ones) count on from the highest total before the fault. */
function counterCheck(acks: Ack[], window: FaultWindow): string | undefined {
  const before = acks.filter(
    (ack) => ack.kind === 'visit' && inWindow(ack.at, window) && ack.at < window.injected,
  )
  const after = acks.filter(
    (ack) => ack.kind === 'visit' && !ack.replayed && ack.at >= window.healed && ack.at < window.end,
  )
  const highest = Math.max(0, ...before.map((ack) => ack.result.count ?? 0))
  const back = after.filter((ack) => (ack.result.count ?? 0) <= highest)
  if (back.length === 0) return undefined
  const sample = back.slice(0, 3).map((ack) => `${ack.key}=${ack.result.count} (${ack.attempts} attempts)`)
  return `highest before ${highest}; after: ${sample.join(', ')}`
}

export function measure(
  records: RequestRecord[],
  acks: Ack[],
  stored: StoredMessages,
  window: FaultWindow,
  details?: { burst?: BurstResult },
): FaultRow {
  const client = records.filter(([start, , kind]) => CLIENT_KINDS.has(kind) && inWindow(start, window))
  const acked = acks.filter((ack) => inWindow(ack.at, window))
  const posts = acked.filter((ack) => ack.kind === 'post')
  const during = client.filter(([start]) => start >= window.injected && start < window.recovered)
  const row: FaultRow = {
    requests: client.length,
    acknowledged: acked.length,
    missing: posts.filter((ack) => !stored.get(ack.content ?? '')?.includes(ack.result.id as number)).length,
    duplicates: posts.filter((ack) => (stored.get(ack.content ?? '')?.length ?? 0) > 1).length,
    worstStalenessMs: worstStaleness(records, acks, window),
    documented503: client.filter(([, , , status, code]) => status === 503 && DOCUMENTED_503.has(code)).length,
    undocumented5xx: client.filter(isUndocumented).length,
    unanswered: client.filter(isUnanswered).length,
    retriedConnections: client.filter(isRetried).length,
    anomalies: client.filter((record) => isUndocumented(record) || isUnanswered(record)).slice(0, 5),
    recoveryMs: window.recovered - window.healed,
    p99Ms: percentile(
      (during.length > 0 ? during : client).map(([start, end]) => end - start),
      99,
    ),
    counterKept: true,
  }
  const counter = counterCheck(acks, window)
  if (counter) Object.assign(row, { counterKept: false, counterDetail: counter })
  if (details?.burst) {
    row.burst = details.burst
    row.undocumented5xx += details.burst.failed
    row.unanswered += details.burst.socketErrors + details.burst.timeouts
  }
  return row
}
