import { pairedRatio, type ScenarioSummary } from './summary.ts'

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
  connections: number
  rounds: number
  durationSeconds: number
  backends: string
  /** Settings given with --api-env, beyond the defaults. */
  apiEnv: Record<string, string>
  scenarios: ScenarioSummary[]
  coldStartMs: number[]
  rssAfterMb: number
  image: string
  targets: Target[]
  /** Non-2xx responses, errors, failed checks: any of them fails the run. */
  failures: string[]
}

const percent = (ratio: number) => (Number.isNaN(ratio) ? '—' : `${(ratio * 100).toFixed(1)} %`)
const fixed = (value: number, digits = 2) => (Number.isNaN(value) ? '—' : value.toFixed(digits))

/** The issue's targets, each with the number measured in this run. */
export function evaluateTargets(
  scenarios: ScenarioSummary[],
  coldStartMs: number,
  rssAfterMb: number,
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
      s.id === 'pgbench' ? '—' : percent(s.ratioToCeiling),
      fixed(s.p50Ms),
      fixed(s.p99Ms),
      String(s.errors),
      fixed(s.rssMb, 1),
    ].join(' | '),
  )
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ')
  const lines = [
    `# pnpm bench — ${report.startedAt}`,
    '',
    `- Machine: ${report.machine}; load average (1/5/15 min) ${load(report.loadAverage.start)} at the start, ${load(report.loadAverage.end)} at the end`,
    `- Load: ${report.tool}, ${report.connections} connections, ${report.rounds} interleaved round(s) of ${report.durationSeconds} s per scenario; medians over rounds`,
    `- Backends: ${report.backends}`,
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
    `- Cold start (spawn → \`/health/ready\` 200): ${report.coldStartMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
    `- RSS of the API after the run: ${fixed(report.rssAfterMb, 1)} MB`,
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
