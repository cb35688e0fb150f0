import { cpus } from 'node:os'
import { markdownTable } from '@app/testing'
import type { Fault } from './faults.ts'
import type { FaultRow } from './measure.ts'

export interface MatrixRun {
  date: string
  commit: string
  rows: { fault: Fault; row: FaultRow }[]
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** What a client of the service saw, in a sentence, from the numbers of its row. */
function userCost({ row }: { row: FaultRow }): string {
  const parts: string[] = []
  if (row.burst) {
    const { requests, requestsPerSecond, refused, p99Ms, timeouts } = row.burst
    parts.push(
      `the burst sent ${requests} requests (${requestsPerSecond}/s); ${refused} were refused with a fast 503 ` +
        `and ${timeouts} timed out; its p99 was ${p99Ms} ms, and the steady clients' during it is below`,
    )
  }
  if (row.documented503 > 0) {
    parts.push(
      `${row.documented503} of ${row.requests} requests got a 503 with Retry-After, which a client retries`,
    )
  } else {
    parts.push(`no request failed (${row.requests} sent)`)
  }
  parts.push(`requests were answered with a p99 of ${row.p99Ms} ms while it lasted`)
  if (!row.counterKept) parts.push('the visit counter started again from 0 (its only copy was gone)')
  return `${parts.join('; ')}.`
}

const header = [
  'Fault',
  'Requests',
  'Acknowledged writes',
  'Lost',
  'Duplicates',
  'Worst staleness',
  'Documented 503',
  'Other 5xx',
  'Recovered in',
  'p99 during',
]

/** docs/reliability.md, written from what the matrix measured. */
export function reliabilityReport(run: MatrixRun): string {
  const table = markdownTable(
    header,
    run.rows.map(({ fault, row }) => [
      fault.name,
      row.requests,
      row.acknowledged,
      row.missing,
      row.duplicates,
      `${row.worstStalenessMs} ms`,
      row.documented503,
      row.undocumented5xx + row.unanswered,
      seconds(row.recoveryMs),
      `${row.p99Ms} ms`,
    ]),
  )
  return [
    '# Reliability: the fault matrix',
    '',
    '<!-- Written by infra/faults (pnpm test:faults) from what it measured; do not edit by hand. -->',
    '',
    `Measured on ${run.date} at commit \`${run.commit}\`, ${cpus().length} cores, by \`pnpm test:faults\`: the`,
    'production Compose stack (`infra/compose/prod.yml`, three api replicas behind nginx) under a steady mixed',
    'load from a container on its network — three writers posting messages with an `Idempotency-Key` and',
    'retrying until acknowledged, a visitor doing the same with visits, three readers, and a probe reading',
    'every replica directly ten times a second — while one fault at a time is injected.',
    '',
    table,
    '',
    '- **Acknowledged writes**: messages (201) and visits (200) acknowledged in the window; **Lost**: acknowledged',
    '  messages not in Postgres at the end; **Duplicates**: acknowledged messages stored more than once.',
    '- **Worst staleness**: the longest any replica served a first page without a message that had been',
    '  acknowledged before the read began.',
    '- **Documented 503**: problem+json 503s the API documents (`DEPENDENCY_UNAVAILABLE`, `OVERLOADED`, and the',
    "  proxy's `UPSTREAM_UNAVAILABLE`), each with `Retry-After`; **Other 5xx**: anything else, or no answer at all.",
    '- **Recovered in**: from the fault healing (or, for faults the stack heals itself, from the injection) until',
    '  readiness through the proxy, a post and a visit all succeed with three replicas running, with nobody',
    '  restarting anything.',
    '',
    'Faults of a whole node (a Swarm worker killed or drained, the api rolled and scaled across three nodes)',
    'are measured by `pnpm test:swarm`, under the same kind of load: [`infra/swarm/README.md`, "Measured"](../infra/swarm/README.md#measured).',
    '',
    '## How each fault is injected, and what it costs a user',
    '',
    ...run.rows.flatMap(({ fault, row }) => [`- **${fault.name}**: ${fault.how}. ${userCost({ row })}`]),
    '',
  ].join('\n')
}
