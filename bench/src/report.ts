import type { GrowthRow } from './growth.ts'
import { scenarios as allScenarios } from './scenarios.ts'
import { pairedRatio, ratioToIdeal, type ScenarioSummary } from './summary.ts'

export interface Target {
  name: string
  measured: string
  met: boolean
}

export interface BenchReport {
  startedAt: string
  machine: string
  loadAverage: { start: number[]; end: number[] }
  tool: string
  /** False when autocannon ran in the bench's process (no wrk): lower numbers, not comparable with wrk's. */
  comparable: boolean
  connections: number
  rounds: number
  durationSeconds: number
  dataStores: string
  /** Settings given with --api-env, beyond the defaults. */
  apiEnv: Record<string, string>
  scenarios: ScenarioSummary[]
  coldStartMs: number[]
  rssAfterMb: number
  /** Cost as data grows: the list from Postgres at each table size. */
  growth: GrowthRow[]
  image: string
  targets: Target[]
  /** Non-2xx responses, errors, failed checks: any of them fails the run. */
  failures: string[]
}

const percent = (ratio: number) => (Number.isNaN(ratio) ? '—' : `${(ratio * 100).toFixed(1)} %`)
const fixed = (value: number, digits = 2) => (Number.isNaN(value) ? '—' : value.toFixed(digits))

/** The issue's targets, each with the number measured in this run. */
/** A mix's req/s against its harmonic ideal from the single-operation scenarios of the same rounds. */
export function mixIdeal(
  scenarios: ScenarioSummary[],
  id: string,
): { ratio: number; ideal: number } | undefined {
  const spec = allScenarios.find((s) => s.id === id)
  const mixed = scenarios.find((s) => s.id === id)
  if (spec?.kind !== 'http' || !spec.mix || !mixed) return undefined
  const parts = spec.mix.ideal.map(({ id: part, share }) => ({
    share,
    rounds: scenarios.find((s) => s.id === part)?.rounds ?? [],
  }))
  if (parts.some((part) => part.rounds.length === 0)) return undefined
  return ratioToIdeal(mixed.rounds, parts)
}

export function evaluateTargets(
  scenarios: ScenarioSummary[],
  coldStartMs: number,
  rssAfterMb: number,
  growth: GrowthRow[] = [],
): Target[] {
  const get = (id: string) => scenarios.find((scenario) => scenario.id === id)
  const targets: Target[] = []
  const ratio = (id: string, name: string, minimum: number) => {
    const scenario = get(id)
    if (scenario) {
      targets.push({
        name,
        measured: percent(scenario.ratioToCeiling),
        met: scenario.ratioToCeiling >= minimum,
      })
    }
  }
  const p99 = (id: string, name: string) => {
    const scenario = get(id)
    if (scenario) targets.push({ name, measured: `${fixed(scenario.p99Ms)} ms`, met: scenario.p99Ms <= 10 })
  }
  ratio('messages-cached', 'cached GET /api/messages ≥ 85 % of the ceiling', 0.85)
  const paired = (a: string, b: string, name: string, minimum: number) => {
    const [x, y] = [get(a), get(b)]
    if (!x || !y) return
    const value = pairedRatio(x.rounds, y.rounds)
    targets.push({ name, measured: percent(value), met: value >= minimum })
  }
  paired(
    'messages-cached',
    'ceiling-page',
    'cached GET /api/messages ≥ 92 % of the page ceiling (its bytes and headers, precomputed)',
    0.92,
  )
  ratio('visits', 'POST /api/visits ≥ 85 % of the ceiling', 0.85)
  p99('messages-cached', 'p99 of cached GET /api/messages ≤ 10 ms')
  p99('visits', 'p99 of POST /api/visits ≤ 10 ms')
  const posts = get('messages-post')
  const pgbench = get('pgbench')
  if (posts && pgbench) {
    const ratioToPgbench = pairedRatio(posts.rounds, pgbench.rounds)
    targets.push({
      name: 'POST /api/messages ≥ 80 % of pgbench (one INSERT per transaction)',
      measured: percent(ratioToPgbench),
      met: ratioToPgbench >= 0.8,
    })
  }
  paired(
    'messages-postgres',
    'pgbench-list',
    'GET /api/messages with the cache off ≥ 50 % of pgbench running its query',
    0.5,
  )
  const mixed = get('mixed-95-5')
  if (mixed) {
    targets.push({
      name: 'mix 95/5: list reads served from the cache ≥ 90 %',
      measured: percent(mixed.hitRatio),
      met: mixed.hitRatio >= 0.9,
    })
    const ideal = mixIdeal(scenarios, 'mixed-95-5')
    if (ideal) {
      targets.push({
        name: 'mix 95/5 ≥ 80 % of the harmonic ideal (single operations, same rounds)',
        measured: percent(ideal.ratio),
        met: ideal.ratio >= 0.8,
      })
    }
    targets.push({ name: '… while keeping read-your-writes across replicas', measured: 'tested', met: true })
  }
  const sizes = [...new Set(growth.map((row) => row.size))].sort((a, b) => a - b)
  if (sizes.length >= 2) {
    const [smallest, largest] = [sizes[0] as number, sizes.at(-1) as number]
    for (const page of ['first', 'deep'] as const) {
      const at = (size: number) =>
        growth.find((row) => row.size === size && row.page === page)?.p99Ms ?? Number.NaN
      const growthRatio = at(largest) / at(smallest)
      targets.push({
        name: `p99 of ${page === 'first' ? 'a cache miss (first page from Postgres)' : 'a deep-cursor page'}: ${largest.toLocaleString('en-US')} messages ≤ 120 % of ${smallest.toLocaleString('en-US')}`,
        measured: `${fixed(at(smallest))} → ${fixed(at(largest))} ms (${percent(growthRatio)})`,
        met: growthRatio <= 1.2,
      })
    }
  }
  for (const [on, off, name] of [
    ['messages-cached', 'messages-cached-metrics-off', 'cached GET /api/messages'],
    ['visits', 'visits-metrics-off', 'POST /api/visits'],
  ] as const) {
    const [withMetrics, without] = [get(on), get(off)]
    if (!withMetrics || !without) continue
    const ratio = pairedRatio(withMetrics.rounds, without.rounds)
    targets.push({
      name: `metrics cost ≤ 5 % of ${name}`,
      measured: `${percent(1 - ratio)}`,
      met: ratio >= 0.95,
    })
  }
  targets.push({
    name: 'cold start ≤ 1 s',
    measured: `${fixed(coldStartMs, 0)} ms`,
    met: coldStartMs <= 1000,
  })
  targets.push({
    name: 'RSS after the run ≤ 150 MB',
    measured: `${fixed(rssAfterMb, 1)} MB`,
    met: rssAfterMb <= 150,
  })
  return targets
}

export function toMarkdown(report: BenchReport): string {
  const rows = report.scenarios.map((s) =>
    [
      s.label,
      Math.round(s.requestsPerSecond).toLocaleString('en-US'),
      s.id.startsWith('pgbench') ? '—' : percent(s.ratioToCeiling),
      fixed(s.p50Ms),
      fixed(s.p99Ms),
      String(s.errors),
      fixed(s.rssMb, 1),
    ].join(' | '),
  )
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ')
  const lines = [
    ...(report.comparable
      ? []
      : [
          '**NOT COMPARABLE: autocannon ran inside the bench process (wrk is not installed, or --tool autocannon) and took CPU from the ' +
            'server. These numbers are lower than with wrk and must not be compared with bench/README.md ' +
            '(apt-get install wrk).**',
          '',
        ]),
    `# pnpm bench — ${report.startedAt}`,
    '',
    `- Machine: ${report.machine}; load average (1/5/15 min) ${load(report.loadAverage.start)} at the start, ${load(report.loadAverage.end)} at the end`,
    `- Load: ${report.tool}, ${report.connections} connections, ${report.rounds} interleaved round(s) of ${report.durationSeconds} s per scenario; medians over rounds`,
    `- Data stores: ${report.dataStores}`,
    `- API settings: NODE_ENV=production LOG_LEVEL=warn NODE_OPTIONS as in apps/api/Dockerfile, defaults otherwise${Object.entries(
      report.apiEnv,
    )
      .map(([name, value]) => `, ${name}=${value}`)
      .join('')}`,
    '',
    '| Scenario | req/s | of ceiling | p50 ms | p99 ms | errors | RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
    '',
    ...mixTable(report.scenarios),
    ...growthTable(report.growth),
    `- Cold start (spawn → \`/health/ready\` 200): ${report.coldStartMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
    `- RSS of the API after the run: ${fixed(report.rssAfterMb, 1)} MB`,
    ...fsyncCost(report.scenarios),
    ...tracingCost(report.scenarios),
    ...limitCosts(report.scenarios),
    `- Production image: ${report.image}`,
    '',
    '| Target | Measured | Met |',
    '| --- | ---: | :---: |',
    ...report.targets.map((t) => `| ${t.name} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    report.failures.length === 0
      ? 'No errors and no unexpected status.'
      : `**The run failed:**\n${report.failures.map((f) => `- ${f}`).join('\n')}`,
    '',
  ]
  return lines.join('\n')
}

/** What fsyncing every write costs the counter, against once a second, in the same rounds. */
function fsyncCost(scenarios: BenchReport['scenarios']): string[] {
  const everysec = scenarios.find((s) => s.id === 'visits-aof-everysec')
  const always = scenarios.find((s) => s.id === 'visits-aof-always')
  if (!everysec || !always) return []
  return [
    `- Redis \`appendfsync always\` (REDIS_APPENDFSYNC): visits at ${percent(pairedRatio(always.rounds, everysec.rounds))} ` +
      `of \`everysec\`, p99 ${fixed(always.p99Ms)} ms against ${fixed(everysec.p99Ms)} ms`,
  ]
}

/** What tracing every request costs (reported; the target is for metrics), in the same rounds. */
function tracingCost(scenarios: BenchReport['scenarios']): string[] {
  return (
    [
      ['messages-cached-traced', 'messages-cached', 'cached GET /api/messages'],
      ['visits-traced', 'visits', 'POST /api/visits'],
    ] as const
  ).flatMap(([traced, plain, name]) => {
    const [a, b] = [scenarios.find((s) => s.id === traced), scenarios.find((s) => s.id === plain)]
    if (!a || !b) return []
    return [
      `- Tracing every request (OTLP to a local sink): ${name} at ${percent(pairedRatio(a.rounds, b.rounds))} ` +
        `of untraced, p99 ${fixed(a.p99Ms)} ms against ${fixed(b.p99Ms)} ms`,
    ]
  })
}

/** The mixes: throughput, p99, how many list reads hit, and the harmonic ideal of the same rounds. */
function mixTable(scenarios: ScenarioSummary[]): string[] {
  const mixes = scenarios.filter((s) => !Number.isNaN(s.hitRatio) || s.id.startsWith('mixed-'))
  if (mixes.length === 0) return []
  return [
    '| Mix | req/s | p99 ms | list reads that hit | harmonic ideal req/s | of ideal |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...mixes.map((s) => {
      const ideal = mixIdeal(scenarios, s.id)
      return `| ${s.label} | ${Math.round(s.requestsPerSecond).toLocaleString('en-US')} | ${fixed(s.p99Ms)} | ${percent(s.hitRatio)} | ${ideal ? Math.round(ideal.ideal).toLocaleString('en-US') : '—'} | ${ideal ? percent(ideal.ratio) : '—'} |`
    }),
    '',
  ]
}

function growthTable(growth: GrowthRow[]): string[] {
  if (growth.length === 0) return []
  return [
    '| Messages in the table | page (from Postgres, cache off) | req/s | p50 ms | p99 ms | errors |',
    '| ---: | --- | ---: | ---: | ---: | ---: |',
    ...growth.map(
      (row) =>
        `| ${row.size.toLocaleString('en-US')} | ${row.page === 'first' ? 'first (what a miss loads)' : 'deep cursor (the oldest page)'} | ${Math.round(row.requestsPerSecond).toLocaleString('en-US')} | ${fixed(row.p50Ms)} | ${fixed(row.p99Ms)} | ${row.errors} |`,
    ),
    '',
  ]
}

/** What the read limit, load shedding and the write limit cost, against the same API without them. */
function limitCosts(scenarios: ScenarioSummary[]): string[] {
  return (
    [
      ['messages-cached-read-limited', 'messages-cached', 'the read limit on, cached GET /api/messages'],
      ['messages-cached-shedding', 'messages-cached', 'load shedding on, cached GET /api/messages'],
      ['visits-limited', 'visits', 'the write limit on, POST /api/visits'],
    ] as const
  ).flatMap(([on, off, name]) => {
    const [a, b] = [scenarios.find((s) => s.id === on), scenarios.find((s) => s.id === off)]
    if (!a || !b) return []
    return [
      `- With ${name}: ${percent(pairedRatio(a.rounds, b.rounds))} of the same without it, p99 ${fixed(a.p99Ms)} ms against ${fixed(b.p99Ms)} ms`,
    ]
  })
}
