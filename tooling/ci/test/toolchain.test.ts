import t from 'tap'
import { parse } from 'yaml'
import { lowestAccepted, majorOf, PREFLIGHT, readRange, satisfies } from '../src/node-version.ts'
import { readRepoFile, readRepoJson, repoFiles, workflowFiles } from '../src/repo.ts'
import { stepsOf } from '../src/workflows.ts'

// One Node.js major everywhere: .nvmrc (nvm, the workflows), engines.node
// (pnpm install, the preflight), the images' node:<major> bases, @types/node.
const nvmrc = readRepoFile('.nvmrc').trim()
const major = Number(nvmrc)
const range = readRange()
const lowest = lowestAccepted(range)

t.test('.nvmrc names one major version', async (t) => {
  t.match(nvmrc, /^\d+$/, `.nvmrc is "${nvmrc}"`)
})

t.test('engines.node accepts that major, all of it, and nothing older', async (t) => {
  t.equal(majorOf(lowest), major, `${range} starts at ${major}`)
  t.ok(satisfies(`${major}.0.0`, range), `${major}.0.0`)
  t.ok(satisfies(`${major}.99.0`, range), `${major}.99.0`)
  t.notOk(satisfies(`${major - 1}.99.0`, range), `not ${major - 1}.99.0`)
  t.ok(satisfies(process.versions.node, range), `the Node running this, ${process.version}`)
})

t.test('every node:<major> image reference is that major', async (t) => {
  const found: string[] = []
  for (const file of repoFiles().filter((f) => f !== 'pnpm-lock.yaml' && !f.startsWith('tooling/ci/test/'))) {
    for (const match of readRepoFile(file).matchAll(/\bnode:(\d+)[\w.-]*/g)) {
      found.push(file)
      t.equal(Number(match[1]), major, `${file}: ${match[0]}`)
    }
  }
  for (const file of ['apps/api/Dockerfile', 'infra/compose/prod.yml', 'infra/compose/dev.yml'])
    t.ok(found.includes(file), `${file} names a node image`)
})

t.test('the workflows take Node from .nvmrc, nowhere else', async (t) => {
  const setups = workflowFiles().flatMap((file) =>
    stepsOf(file)
      .filter((step) => step.uses?.startsWith('actions/setup-node@') || step.uses?.startsWith('pnpm/setup@'))
      .map((step) => ({ file, step })),
  )
  t.ok(setups.length >= 2, 'setup-node and pnpm/setup are used')
  for (const { file, step } of setups) {
    if (step.uses?.startsWith('actions/setup-node@')) {
      t.equal(step.with?.['node-version-file'], '.nvmrc', `${file}: setup-node reads .nvmrc`)
      t.equal(step.with?.['node-version'], undefined, `${file}: and names no version of its own`)
    } else t.equal(step.with?.runtime, undefined, `${file}: pnpm/setup installs no Node of its own`)
  }
})

t.test('@types/node describes the same major', async (t) => {
  const catalog = (parse(readRepoFile('pnpm-workspace.yaml')) as { catalog: Record<string, string> }).catalog
  t.equal(
    majorOf((catalog['@types/node'] ?? '').replace(/^[\^~]/, '')),
    major,
    `@types/node ${catalog['@types/node']}`,
  )
})

t.test('pnpm is 11 or newer, which pnpm/setup installs from packageManager', async (t) => {
  const { packageManager } = readRepoJson<{ packageManager: string }>('package.json')
  t.match(packageManager, /^pnpm@\d+\.\d+\.\d+$/)
  t.ok(majorOf(packageManager.split('@')[1] ?? '') >= 11, packageManager)
})

t.test('every root script that runs this project’s code checks the Node version first', async (t) => {
  // Biome is a native binary and tsc runs on any Node: these need no check.
  const anyNode = ['lint', 'format', 'typecheck', 'openapi:lint']
  const { scripts } = readRepoJson<{ scripts: Record<string, string> }>('package.json')
  for (const [name, command] of Object.entries(scripts)) {
    if (anyNode.includes(name)) continue
    t.ok(command.startsWith(`node ${PREFLIGHT} && `), `pnpm ${name} starts with node ${PREFLIGHT}`)
  }
})

t.test(
  'every locked package accepts the oldest Node engines.node allows (else engineStrict refuses it)',
  async (t) => {
    const lock = parse(readRepoFile('pnpm-lock.yaml')) as {
      packages: Record<string, { engines?: { node?: string } }>
    }
    const refusing = Object.entries(lock.packages)
      .filter(([, entry]) => entry.engines?.node && !satisfies(lowest, entry.engines.node))
      .map(([name, entry]) => `${name} wants node ${entry.engines?.node}`)
    t.same(refusing, [], `every package runs on ${lowest}`)
  },
)
