import { parse } from 'yaml'
import { readRepoFile } from './repo.ts'

export interface Step {
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
}

export interface Job {
  name?: string
  'runs-on'?: string
  'timeout-minutes'?: number | string
  permissions?: Record<string, string> | string
  steps?: Step[]
}

export interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string> | string
  concurrency?: { group: string; 'cancel-in-progress': boolean | string }
  jobs: Record<string, Job>
}

export function readWorkflow(file: string): Workflow {
  return parse(readRepoFile(file)) as Workflow
}

/** The steps of a workflow's jobs, or of a composite action's `runs`. */
export function stepsOf(file: string): Step[] {
  const parsed = parse(readRepoFile(file)) as Partial<Workflow> & { runs?: { steps?: Step[] } }
  if (parsed.runs) return parsed.runs.steps ?? []
  return Object.values(parsed.jobs ?? {}).flatMap((job) => job.steps ?? [])
}
