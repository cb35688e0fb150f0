import t from 'tap'
import { REPO, repoFiles } from '../src/repo.ts'
import { run } from '../src/run.ts'

// Debian's yamllint (`apt-get install yamllint`) with the repository's
// .yamllint.yaml, over every YAML file it finds: Compose, workflows, actions,
// Kubernetes manifests (infra/k8s, once there), pnpm, Redocly and tap settings.
const CONFIG = '.yamllint.yaml'

async function listed(): Promise<string[]> {
  const result = await run('yamllint', ['--list-files', '-c', CONFIG, '.'], { cwd: REPO })
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((file) => file.replace(/^\.\//, ''))
    .sort()
}

t.test('yamllint is installed', async (t) => {
  const version = await run('yamllint', ['--version'])
  t.equal(version.code, 0, 'yamllint --version (apt-get install yamllint)')
})

t.test('yamllint sees every YAML file git has, but the lockfile and the bad fixtures', async (t) => {
  const files = await listed()
  const expected = repoFiles().filter(
    (file) =>
      /(\.ya?ml|(^|\/)\.taprc|(^|\/)\.yamllint)$/.test(file) &&
      file !== 'pnpm-lock.yaml' &&
      !file.startsWith('tooling/ci/test/fixtures/'),
  )
  t.same(files, expected)
  for (const file of [
    'infra/compose/prod.yml',
    '.github/workflows/ci.yml',
    '.github/actions/setup/action.yml',
  ])
    t.ok(files.includes(file), file)
})

t.test('every YAML file passes yamllint, warnings included', async (t) => {
  for (const file of await listed()) {
    const result = await run('yamllint', ['--strict', '-f', 'parsable', '-c', CONFIG, file], { cwd: REPO })
    t.equal(result.code, 0, file, { diagnostic: result.code !== 0, output: result.output })
  }
})

t.test('yamllint reports what it should (a duplicated key, a YAML 1.1 boolean)', async (t) => {
  const result = await run('yamllint', ['--strict', '-f', 'parsable', '-c', CONFIG, '-'], {
    cwd: REPO,
    input: 'services:\n  api:\n    read_only: yes\n  api:\n    image: x\n',
  })
  t.not(result.code, 0)
  t.match(result.output, '(key-duplicates)')
  t.match(result.output, '(truthy)')
})
