// A CycloneDX SBOM of what ships in the api image: @app/api's production
// dependencies, workspace packages included, as pnpm's lockfile resolves them
// (the tree `pnpm deploy --prod` installs in apps/api/Dockerfile), with their
// licences and the lockfile's integrity hashes. pnpm writes it (`pnpm sbom`,
// built into pnpm 12); the CycloneDX library validates it against the
// 1.6 JSON schema, offline, before it counts as made. It lists
// @electric-sql/pglite, an optional peer drizzle-orm resolved for `pnpm dev`,
// which the Dockerfile deletes from the image: it errs on the side of listing.
//
//   pnpm sbom:api                       # artifacts/sbom.cdx.json
//   node tooling/ci/src/sbom.ts --output FILE
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Spec, Validation } from '@cyclonedx/cyclonedx-library'
import { REPO } from './repo.ts'

export const SBOM_PATH = join(REPO, 'artifacts/sbom.cdx.json')
export const PRODUCT = '@app/api'

/** Writes the SBOM with pnpm and returns its text. */
export function writeSbom(output: string): string {
  mkdirSync(dirname(output), { recursive: true })
  execFileSync(
    'pnpm',
    [
      'sbom',
      '--sbom-format=cyclonedx',
      '--sbom-spec-version=1.6',
      '--sbom-type=application',
      '--prod',
      `--filter=${PRODUCT}`,
      `--out=${output}`,
    ],
    { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] },
  )
  return readFileSync(output, 'utf8')
}

/** Schema errors of a CycloneDX 1.6 JSON SBOM, or null when it is valid. */
export async function schemaErrors(json: string): Promise<unknown> {
  return new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json)
}

// Run as a script (import.meta.main needs Node 24.2; engines.node starts at 24.0).
if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { output: { type: 'string', default: SBOM_PATH } } })
  const json = writeSbom(resolve(values.output))
  const errors = await schemaErrors(json)
  if (errors) {
    console.error(
      `${values.output} does not match the CycloneDX 1.6 schema:`,
      JSON.stringify(errors, null, 2),
    )
    process.exit(1)
  }
  const count = (JSON.parse(json) as { components?: unknown[] }).components?.length ?? 0
  console.log(`${values.output}: ${count} production dependencies of ${PRODUCT}, valid CycloneDX 1.6`)
}
