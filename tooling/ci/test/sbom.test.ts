import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { readRepoJson } from '../src/repo.ts'
import { schemaErrors, writeSbom } from '../src/sbom.ts'

interface Component {
  type: string
  name: string
  group?: string
  version: string
  purl?: string
  licenses?: unknown[]
  externalReferences?: { type: string; hashes?: { alg: string }[] }[]
}

const dir = mkdtempSync(join(tmpdir(), 'sbom-test-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const json = writeSbom(join(dir, 'sbom.cdx.json'))
const sbom = JSON.parse(json) as {
  specVersion: string
  metadata: { component: Component }
  components: Component[]
}
const names = new Set(sbom.components.map((c) => (c.group ? `${c.group}/${c.name}` : c.name)))
const api = readRepoJson<{ version: string; dependencies: Record<string, string> }>('apps/api/package.json')

t.test('it is valid CycloneDX 1.6', async (t) => {
  t.equal(sbom.specVersion, '1.6')
  t.equal(await schemaErrors(json), null, 'no schema errors')
})

t.test('it describes the api at its version', async (t) => {
  t.match(sbom.metadata.component, { type: 'application', group: '@app', name: 'api', version: api.version })
})

t.test('it lists every production dependency, the workspace packages included', async (t) => {
  for (const name of Object.keys(api.dependencies)) t.ok(names.has(name), name)
})

t.test('and no development dependency', async (t) => {
  const devOnly = [
    'tap',
    'typescript',
    '@biomejs/biome',
    'turbo',
    'testcontainers',
    'playwright-core',
    '@redocly/cli',
  ]
  for (const name of [...devOnly, 'fast-check', 'pino-pretty', 'chokidar', 'axe-core'])
    t.notOk(names.has(name), `not ${name}`)
  // Type packages are ours to use at build time only; one may still come in as
  // a production package's own dependency (@opentelemetry/instrumentation-pg's @types/pg).
  t.same(
    Object.keys(api.dependencies).filter((name) => name.startsWith('@types/')),
    [],
    'no @types/* among the api’s own production dependencies',
  )
})

t.test('every registry package has a purl, a SHA-512 from the lockfile and a licence', async (t) => {
  for (const c of sbom.components.filter((c) => c.group !== '@app')) {
    const hashed = c.externalReferences?.some(
      (r) => r.type === 'distribution' && r.hashes?.some((h) => h.alg === 'SHA-512'),
    )
    t.ok(c.purl?.startsWith('pkg:npm/') && hashed && c.licenses?.length, `${c.purl}`)
  }
})

t.test('the schema check reports what it should (a component of no known type)', async (t) => {
  const broken = JSON.parse(json) as { components: Component[] }
  broken.components[0] = { ...(broken.components[0] as Component), type: 'nonsense' }
  t.not(await schemaErrors(JSON.stringify(broken)), null)
})
