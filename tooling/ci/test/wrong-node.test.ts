import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import t from 'tap'
import { lowestAccepted, majorOf, PREFLIGHT, readRange } from '../src/node-version.ts'
import { REPO } from '../src/repo.ts'
import { run } from '../src/run.ts'

// What a new user meets on a machine whose Node is too old (20: end of life,
// still the default on many machines). /usr/bin/node is that machine's Node
// here and on CI machines; WRONG_NODE points elsewhere (the workflow fetches
// a Node 20 for it). Without one the test fails: it must never pass unrun.
const WRONG_NODE = process.env.WRONG_NODE ?? '/usr/bin/node'
const range = readRange()
const wantedMajor = majorOf(lowestAccepted(range))

/** PATH with `node` resolving to the given binary first (pnpm itself is a native binary and stays). */
function pathWithNode(t: { teardown(fn: () => void): void }, node: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wrong-node-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  symlinkSync(node, join(dir, 'node'))
  return `${dir}${delimiter}${process.env.PATH ?? ''}`
}

t.test('an old Node to try is there', async (t) => {
  t.ok(existsSync(WRONG_NODE), `${WRONG_NODE} exists (set WRONG_NODE to an older Node.js binary)`)
  const { stdout } = await run(WRONG_NODE, ['--version'])
  t.ok(majorOf(stdout.trim()) < wantedMajor, `${stdout.trim()} is older than engines.node ${range}`)
})

t.test('the preflight names the version found, the one needed and how to get it', async (t) => {
  const wrong = await run(WRONG_NODE, [PREFLIGHT], { cwd: REPO })
  const found = (await run(WRONG_NODE, ['--version'])).stdout.trim()
  t.equal(wrong.code, 1, 'exits 1')
  t.match(wrong.stderr, `This project needs Node.js ${range} (found ${found}).`)
  t.match(wrong.stderr, 'nvm install', 'says how to get it with nvm')
  t.match(wrong.stderr, 'https://nodejs.org', 'or where to download it')

  const right = await run(process.execPath, [PREFLIGHT], { cwd: REPO })
  t.equal(right.code, 0, `${process.version} passes`)
  t.equal(right.output, '', 'and prints nothing')
})

t.test('pnpm dev and pnpm test stop with that message before turbo runs', async (t) => {
  const env = { ...process.env, PATH: pathWithNode(t, WRONG_NODE) }
  for (const script of ['dev', 'test']) {
    const result = await run('pnpm', ['--silent', script], { cwd: REPO, env, timeoutMs: 60_000 })
    t.not(result.code, 0, `pnpm ${script} fails`)
    t.match(result.output, `This project needs Node.js ${range}`, `pnpm ${script} says why`)
    t.notMatch(result.output, /turbo|ERR_UNKNOWN_FILE_EXTENSION/, `pnpm ${script} got no further`)
  }
})

t.test('pnpm install refuses the old Node (engineStrict), naming both versions', async (t) => {
  // The root manifest and workspace settings alone: pnpm checks the engine
  // before it reads a lockfile or the network, and the checkout is not touched.
  const dir = mkdtempSync(join(tmpdir(), 'wrong-node-install-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(REPO, file), join(dir, file))
  const install = (node: string) =>
    run('pnpm', ['install', '--offline', '--frozen-lockfile'], {
      cwd: dir,
      env: { ...process.env, PATH: pathWithNode(t, node) },
      timeoutMs: 60_000,
    })

  const wrong = await install(WRONG_NODE)
  t.not(wrong.code, 0, 'fails')
  t.match(wrong.output, 'ERR_PNPM_UNSUPPORTED_ENGINE')
  t.match(wrong.output, range, 'names the range wanted')
  t.match(wrong.output, /current: \{"node":"\d+\.\d+\.\d+"\}/, 'and the version found')

  const right = await install(process.execPath)
  t.notMatch(right.output, 'ERR_PNPM_UNSUPPORTED_ENGINE', `${process.version} gets past the engine check`)
})
