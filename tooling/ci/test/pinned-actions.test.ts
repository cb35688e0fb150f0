import { readFileSync } from 'node:fs'
import t from 'tap'
import { unpinnedUses } from '../src/pinned-actions.ts'
import { readRepoFile, workflowFiles } from '../src/repo.ts'

// A tag can be moved to other code after review (as trivy-action's were in
// March 2026); a commit SHA cannot. Renovate keeps the SHAs and their version
// comments current (.github/renovate.json).
const files = workflowFiles()

t.test('the workflows and the repository’s actions are all checked', async (t) => {
  for (const file of [
    '.github/workflows/ci.yml',
    '.github/workflows/release.yml',
    '.github/actions/setup/action.yml',
  ])
    t.ok(files.includes(file), file)
})

t.test('every uses: is pinned to a full commit SHA with its version in a comment', async (t) => {
  for (const file of files) {
    const unpinned = unpinnedUses(readRepoFile(file))
    t.same(unpinned, [], file)
  }
})

t.test('the check reports what it should (a bad fixture)', async (t) => {
  const fixture = readFileSync(new URL('fixtures/unpinned-workflow.yml', import.meta.url), 'utf8')
  const found = unpinnedUses(fixture)
  t.same(
    found.map(({ uses, problem }) => `${uses}: ${problem}`),
    [
      'foo/bar@v1: not pinned to a full commit SHA',
      'actions/checkout@main: not pinned to a full commit SHA',
      'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020: no "# vX.Y.Z" comment naming the version of that commit',
      'docker://alpine:3: a Docker image not pinned to a digest',
      ': 1 uses: written in a form this check cannot read',
    ],
  )
  t.ok(
    found.some((f) => f.uses === 'foo/bar@v1' && f.line === 12),
    'reports uses: foo/bar@v1 with its line',
  )
})
