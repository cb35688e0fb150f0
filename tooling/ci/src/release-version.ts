// Checks that a release tag is the version everything else says, and writes
// the release notes from CHANGELOG.md (docs/releasing.md). Run by release.yml:
//   node tooling/ci/src/release-version.ts v1.2.3 [--notes FILE] [--image-prefix ghcr.io/owner/repo]
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { REPO } from './repo.ts'

export interface ReleaseVersion {
  version: string
  /** Why the tag cannot be released; empty when it can. */
  problems: string[]
  /** The CHANGELOG.md section of this version, without its heading. */
  notes: string
}

export function checkReleaseVersion(root: string, tag: string): ReleaseVersion {
  const version = /^v(\d+\.\d+\.\d+)$/.exec(tag)?.[1] ?? ''
  if (!version)
    return { version, problems: [`"${tag}" is not a release tag (vMAJOR.MINOR.PATCH)`], notes: '' }
  const problems: string[] = []
  const read = (file: string) => readFileSync(join(root, file), 'utf8')

  const pkg = JSON.parse(read('apps/api/package.json')) as { version?: string }
  if (pkg.version !== version) problems.push(`apps/api/package.json says ${pkg.version}, the tag ${version}`)
  // The spec's info.version follows the package (README, "Versioning and compatibility").
  const spec = JSON.parse(read('apps/api/openapi.json')) as { info?: { version?: string } }
  if (spec.info?.version !== version)
    problems.push(`apps/api/openapi.json info.version says ${spec.info?.version} (run pnpm openapi)`)

  const changelog = read('CHANGELOG.md')
  const heading = new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm').exec(
    changelog,
  )
  let notes = ''
  if (!heading) problems.push(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section`)
  else {
    const rest = changelog.slice(heading.index + heading[0].length)
    const end = rest.search(/^## \[|^\[[^\]]+\]: /m)
    notes = (end === -1 ? rest : rest.slice(0, end)).trim()
    if (!notes) problems.push(`CHANGELOG.md's ${version} section is empty`)
  }
  return { version, problems, notes }
}

// Run as a script (import.meta.main needs Node 24.2; engines.node starts at 24.0).
if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { notes: { type: 'string' }, 'image-prefix': { type: 'string' } },
  })
  const tag = positionals[0] ?? ''
  const result = checkReleaseVersion(REPO, tag)
  if (result.problems.length > 0) {
    for (const problem of result.problems) console.error(`${tag}: ${problem}`)
    process.exitCode = 1
  } else {
    console.log(`${tag}: apps/api/package.json, openapi.json info.version and CHANGELOG.md agree`)
    if (values.notes) {
      const prefix = values['image-prefix']
      const images = prefix
        ? `\n\n### Images\n\n- \`${prefix}/api:${result.version}\`\n- \`${prefix}/redis:${result.version}\`\n\n` +
          'Verify and deploy them as the README says ("Deploy from a release").'
        : ''
      writeFileSync(values.notes, `${result.notes}${images}\n`)
    }
  }
}
