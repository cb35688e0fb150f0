import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { checkReleaseVersion } from '../src/release-version.ts'
import { readRepoFile, readRepoJson } from '../src/repo.ts'

/** A repository of just the three files the check reads. */
function fakeRepo(
  t: { teardown(fn: () => void): void },
  files: { pkg: string; spec: string; changelog: string },
) {
  const root = mkdtempSync(join(tmpdir(), 'release-version-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  mkdirSync(join(root, 'apps/api'), { recursive: true })
  writeFileSync(join(root, 'apps/api/package.json'), JSON.stringify({ version: files.pkg }))
  writeFileSync(join(root, 'apps/api/openapi.json'), JSON.stringify({ info: { version: files.spec } }))
  writeFileSync(join(root, 'CHANGELOG.md'), files.changelog)
  return root
}

const changelog = `# Changelog

## [Unreleased]

## [0.2.0] - 2026-12-05

### Added

- GET /api/messages/{id}

## [0.1.0] - 2026-12-01

- First release.
`

t.test('a tag that is the version everywhere passes, with its changelog section as notes', async (t) => {
  const root = fakeRepo(t, { pkg: '0.2.0', spec: '0.2.0', changelog })
  const result = checkReleaseVersion(root, 'v0.2.0')
  t.same(result.problems, [])
  t.equal(result.notes, '### Added\n\n- GET /api/messages/{id}')
})

t.test('each disagreement is named', async (t) => {
  const root = fakeRepo(t, { pkg: '0.2.0', spec: '0.1.0', changelog })
  t.same(checkReleaseVersion(root, 'v0.3.0').problems, [
    'apps/api/package.json says 0.2.0, the tag 0.3.0',
    'apps/api/openapi.json info.version says 0.1.0 (run pnpm openapi)',
    'CHANGELOG.md has no "## [0.3.0] - YYYY-MM-DD" section',
  ])
  t.same(checkReleaseVersion(root, 'release-1').problems, [
    '"release-1" is not a release tag (vMAJOR.MINOR.PATCH)',
  ])
})

t.test('an empty section is not a release', async (t) => {
  const root = fakeRepo(t, {
    pkg: '0.3.0',
    spec: '0.3.0',
    changelog: '## [0.3.0] - 2026-12-06\n\n## [0.2.0] - 2026-12-05\n\n- x\n',
  })
  t.same(checkReleaseVersion(root, 'v0.3.0').problems, ["CHANGELOG.md's 0.3.0 section is empty"])
})

t.test(
  'this repository: the spec follows the package, and CHANGELOG.md has an Unreleased section',
  async (t) => {
    const pkg = readRepoJson<{ version: string }>('apps/api/package.json')
    const spec = readRepoJson<{ info: { version: string } }>('apps/api/openapi.json')
    t.equal(spec.info.version, pkg.version)
    t.match(readRepoFile('CHANGELOG.md'), /^## \[Unreleased\]$/m)
  },
)
