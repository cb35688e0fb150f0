import type { LoadResult } from './load/load-tool.ts'
import type { Scenario } from './scenarios.ts'

export interface RoundResult extends LoadResult {
  round: number
  /** The server's resident set size right after this run, in MB. */
  rssMb: number
  /** Mixed scenarios: list reads served from the cache ÷ list reads (the API's metrics). */
  hitRatio?: number | undefined
}

export interface ScenarioSummary {
  id: string
  label: string
  requestsPerSecond: number
  /** Median over rounds of this scenario's req/s ÷ the ceiling's in the same round. */
  ratioToCeiling: number
  p50Ms: number
  p99Ms: number
  /** Summed over every round. */
  errors: number
  rssMb: number
  /** Median over rounds; NaN unless the scenario is a mix. */
  hitRatio: number
  rounds: RoundResult[]
}

export function median(values: number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** Medians per scenario; ratios are taken round by round, so drift between rounds cancels out. */
export function summarize(results: Map<Scenario, RoundResult[]>, baselineId: string): ScenarioSummary[] {
  const baseline = [...results].find(([scenario]) => scenario.id === baselineId)?.[1] ?? []
  return [...results].map(([scenario, rounds]) => ({
    id: scenario.id,
    label: scenario.label,
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    ratioToCeiling: median(
      rounds.map((r) => {
        const base = baseline.find((b) => b.round === r.round)
        return base ? r.requestsPerSecond / base.requestsPerSecond : Number.NaN
      }),
    ),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    rssMb: median(rounds.map((r) => r.rssMb)),
    hitRatio: median(rounds.map((r) => r.hitRatio ?? Number.NaN)),
    rounds,
  }))
}

/** Median over rounds of a ÷ b taken within each round. */
export function pairedRatio(a: RoundResult[], b: RoundResult[]): number {
  return median(
    a.map((x) => {
      const y = b.find((candidate) => candidate.round === x.round)
      return y ? x.requestsPerSecond / y.requestsPerSecond : Number.NaN
    }),
  )
}

/**
 * Median over rounds of a mix's req/s ÷ its harmonic ideal in the same round:
 * 1 / Σ share ÷ req/s of each operation alone (what the mix would do if each
 * operation cost what it costs alone, e.g. with a cache that stays warm).
 */
export function ratioToIdeal(
  mixed: RoundResult[],
  parts: { share: number; rounds: RoundResult[] }[],
): { ratio: number; ideal: number } {
  const ideals = mixed.map((x) => {
    const cost = parts.reduce((sum, part) => {
      const alone = part.rounds.find((r) => r.round === x.round)?.requestsPerSecond ?? Number.NaN
      return sum + part.share / alone
    }, 0)
    return 1 / cost
  })
  return {
    ratio: median(mixed.map((x, i) => x.requestsPerSecond / (ideals[i] as number))),
    ideal: median(ideals),
  }
}
