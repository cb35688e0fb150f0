import { readFile, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { markdownTable } from '@app/testing'
import type { FaultRow } from '../../faults/matrix/measure.ts'
import { REPO } from '../../harness/stack.ts'
import type { Disrupted } from './disruptions.ts'

export const README = join(REPO, 'infra/swarm/README.md')
const BEGIN = '<!-- swarm-run:begin (written by infra/swarm/test/swarm.test.ts) -->'
const END = '<!-- swarm-run:end -->'
/** The root README's Swarm section carries the headline of the same run. */
const ROOT_README = join(REPO, 'README.md')
const SUMMARY_BEGIN = '<!-- swarm-summary:begin (written by infra/swarm/test/swarm.test.ts) -->'
const SUMMARY_END = '<!-- swarm-summary:end -->'

export interface SwarmRun {
  date: string
  commit: string
  suiteSeconds: number
  rows: { disrupted: Disrupted; row: FaultRow }[]
  total: FaultRow
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const placement = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort()
    .map(([node, n]) => `${node}: ${n}`)
    .join(', ')

/** The measured section of infra/swarm/README.md. */
export function swarmReport(run: SwarmRun): string {
  const table = markdownTable(
    [
      'Under load',
      'Converged in',
      'api tasks after',
      'Requests',
      'Acknowledged writes',
      'Lost',
      'Duplicates',
      'Documented 503',
      'Other 5xx',
      'Unanswered',
      'p99',
    ],
    [
      ...run.rows.map(({ disrupted, row }) => [
        disrupted.name,
        seconds(disrupted.convergedMs),
        placement(disrupted.placement),
        row.requests,
        row.acknowledged,
        row.missing,
        row.duplicates,
        row.documented503,
        row.undocumented5xx,
        row.unanswered,
        `${row.p99Ms} ms`,
      ]),
      [
        'the whole run',
        '',
        '',
        run.total.requests,
        run.total.acknowledged,
        run.total.missing,
        run.total.duplicates,
        run.total.documented503,
        run.total.undocumented5xx,
        run.total.unanswered,
        `${run.total.p99Ms} ms`,
      ],
    ],
  )
  const notes = run.rows.flatMap(({ disrupted }) =>
    disrupted.notes.map((note) => `- ${disrupted.name}: ${note}.`),
  )
  return [
    BEGIN,
    '',
    `Measured by \`pnpm test:swarm\` on ${run.date} (commit ${run.commit}, ${cpus().length} cores shared with`,
    'other suites, three Docker 20.10 engines in containers, vfs storage); the suite took',
    `${Math.round(run.suiteSeconds)} s up to this report. One load ran through node1's proxy all along (3 readers,`,
    '3 writers whose posts carry an Idempotency-Key and are sent again until acknowledged, 1 visitor), while',
    'the disruptions below came one after another. **Converged in**: from the command to every api task',
    'running and healthy where it should (for the killed node: on the nodes left). **Lost**: acknowledged',
    'messages not in Postgres at the end. **Documented 503**: answers with `Retry-After` and a documented',
    'code (`UPSTREAM_UNAVAILABLE`, `DEPENDENCY_UNAVAILABLE`, `OVERLOADED`, `DRAINING`), which a client',
    'retries. **Unanswered**: requests that got no answer and were not sent again (a write without an',
    "answer is sent again with its key, a GET up to three times on a new connection, as browsers do); p99 is the window's.",
    '',
    table,
    '',
    ...notes,
    '',
    END,
  ].join('\n')
}

/** The headline of a run, for the root README's Swarm section. */
export function swarmSummary(run: SwarmRun): string {
  const converged = run.rows.map(({ disrupted }) => `${disrupted.name}: ${seconds(disrupted.convergedMs)}`)
  const { total } = run
  return [
    SUMMARY_BEGIN,
    '',
    `Last measured on ${run.date} (commit ${run.commit}): ${total.missing} of ${total.acknowledged} acknowledged`,
    `writes lost, ${total.duplicates} stored twice; of ${total.requests} requests, ${total.documented503} documented 503s`,
    `(retried by the client), ${total.undocumented5xx} other 5xx and ${total.unanswered} unanswered. Converged in`,
    `(every api task running and healthy where it should be): ${converged.join('; ')}.`,
    '',
    SUMMARY_END,
  ].join('\n')
}

async function replaceSection(file: string, begin: string, end: string, section: string): Promise<void> {
  const text = await readFile(file, 'utf8')
  const from = text.indexOf(begin)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`${file} has no ${begin} … ${end} section`)
  await writeFile(file, text.slice(0, from) + section + text.slice(to + end.length))
}

/** Writes this run's measured section into infra/swarm/README.md and its headline into README.md. */
export async function writeReport(run: SwarmRun): Promise<string> {
  const report = swarmReport(run)
  await replaceSection(README, BEGIN, END, report)
  await replaceSection(ROOT_README, SUMMARY_BEGIN, SUMMARY_END, swarmSummary(run))
  return report
}
