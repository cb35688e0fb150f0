import { program } from '../../../harness/programs.ts'
import { run } from '../../../harness/run.ts'
import type { Stack } from '../../../harness/stack.ts'

export interface VisitorResult {
  requests: number
  ok: number
  statuses: Record<string, number>
  p50Ms: number
  p99Ms: number
  maxMs: number
}

/**
 * A legitimate visitor for `seconds`, from a container on the stack's edge
 * network: another address than the attacker's (the host), as a real visitor is.
 */
export async function visitFor(stack: Stack, seconds: number): Promise<VisitorResult> {
  const image = stack.env.NODE_IMAGE ?? 'node:24-bookworm-slim'
  const { stdout } = await run(
    'docker',
    [
      'run',
      '--rm',
      '-i',
      '--network',
      `${stack.project}_edge`,
      '--memory',
      '128m',
      image,
      'node',
      '-',
    ].concat(['http://proxy:8080', String(seconds)]),
    { input: program('visitor.cjs'), timeoutMs: (seconds + 60) * 1000 },
  )
  return JSON.parse(stdout.trim().split('\n').at(-1) as string)
}
