import t from 'tap'
import { readRepoFile, workflowFiles } from '../src/repo.ts'
import { readWorkflow, stepsOf } from '../src/workflows.ts'

// The security rules of the workflows, as the delivery issue states them:
// least privilege per job, superseded runs cancelled, no trigger that runs a
// fork's code with the repository's token, no secret but the workflow's own.
const workflows = workflowFiles().filter((file) => file.startsWith('.github/workflows/'))

// What each workflow may be granted to write, job by job.
const WRITES: Record<string, string[]> = {
  '.github/workflows/ci.yml': ['security-events'],
  '.github/workflows/release.yml': ['security-events', 'packages', 'id-token', 'attestations', 'contents'],
}

t.test('no trigger runs untrusted code with the repository’s token', async (t) => {
  for (const file of workflows) {
    const triggers = Object.keys(readWorkflow(file).on)
    t.notOk(triggers.includes('pull_request_target'), `${file}: no pull_request_target`)
    t.notOk(triggers.includes('workflow_run'), `${file}: no workflow_run`)
  }
  t.same(Object.keys(readWorkflow('.github/workflows/release.yml').on), ['push'], 'release.yml: pushes only')
  t.same(
    Object.keys((readWorkflow('.github/workflows/release.yml').on.push ?? {}) as object),
    ['tags'],
    'release.yml: of tags only',
  )
})

t.test('permissions: none by default, each job asks for what it needs', async (t) => {
  for (const file of workflows) {
    const workflow = readWorkflow(file)
    t.same(workflow.permissions, {}, `${file}: permissions: {} at the top`)
    for (const [id, job] of Object.entries(workflow.jobs)) {
      t.type(job.permissions, 'object', `${file} ${id}: its own permissions`)
      const grants = Object.entries((job.permissions ?? {}) as Record<string, string>)
      for (const [scope, level] of grants) {
        t.ok(
          level === 'read' || (level === 'write' && WRITES[file]?.includes(scope)),
          `${file} ${id}: ${scope}: ${level}`,
        )
      }
    }
  }
})

t.test('contents: write only where the GitHub release is made', async (t) => {
  for (const file of workflows) {
    for (const [id, job] of Object.entries(readWorkflow(file).jobs)) {
      const contents = (job.permissions as Record<string, string> | undefined)?.contents
      if (contents === 'write') t.equal(`${file} ${id}`, '.github/workflows/release.yml github-release')
    }
  }
})

t.test('the only secret is the workflow’s own GITHUB_TOKEN', async (t) => {
  for (const file of workflowFiles()) {
    const secrets = [...readRepoFile(file).matchAll(/secrets\.(\w+)/g)].map((m) => m[1])
    t.same(
      [...new Set(secrets)].filter((name) => name !== 'GITHUB_TOKEN'),
      [],
      file,
    )
  }
})

t.test('checkouts keep no credentials for later steps', async (t) => {
  for (const file of workflowFiles()) {
    for (const step of stepsOf(file).filter((s) => s.uses?.startsWith('actions/checkout@'))) {
      t.equal(step.with?.['persist-credentials'], false, `${file}: persist-credentials: false`)
    }
  }
})

t.test('a newer push cancels the CI run it supersedes; a release is never cancelled', async (t) => {
  const ci = readWorkflow('.github/workflows/ci.yml')
  t.match(
    ci.concurrency?.group,
    /github\.event\.pull_request\.number \|\| github\.ref/,
    'one group per pull request or branch',
  )
  t.equal(ci.concurrency?.['cancel-in-progress'], true)
  t.equal(readWorkflow('.github/workflows/release.yml').concurrency?.['cancel-in-progress'], false)
})

t.test('every job runs on ubuntu-24.04 within a time limit', async (t) => {
  for (const file of workflows) {
    for (const [id, job] of Object.entries(readWorkflow(file).jobs)) {
      t.equal(job['runs-on'], 'ubuntu-24.04', `${file} ${id}: runs-on`)
      t.ok(job['timeout-minutes'], `${file} ${id}: timeout-minutes`)
    }
  }
})
