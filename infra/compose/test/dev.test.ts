import { readdir, readFile, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { waitReady } from '../../harness/board.ts'
import { inspect } from '../../harness/docker.ts'
import { hostFetch } from '../../harness/http.ts'
import { copyRepo } from '../../harness/repo.ts'
import { seconds, waitFor } from '../../harness/run.ts'
import { createStack, freePort } from '../../harness/stack.ts'

// dev.yml bind-mounts the checkout: this test runs it on a copy, which it edits.
// The stack is built and brought up once, in the second test.
const repo = await copyRepo(t)
const [apiPort, postgresPort, redisPort] = [await freePort(), await freePort(), await freePort()]
const stack = await createStack(t, {
  file: join(repo, 'infra/compose/dev.yml'),
  env: { API_PORT: String(apiPort), POSTGRES_PORT: String(postgresPort), REDIS_PORT: String(redisPort) },
  builtImages: { API_DEV_IMAGE: 'api-dev' },
})
const apiUrl = `http://127.0.0.1:${apiPort}`

/** The first line a TCP server sends back to `request`. */
function tcpExchange(port: number, request: string | Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    socket.setTimeout(3000, () => socket.destroy(new Error('timed out')))
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString())
    })
    socket.once('error', reject)
  })
}

t.test("dev.yml keeps every workspace's node_modules in a volume", async (t) => {
  const file = await readFile(join(repo, 'infra/compose/dev.yml'), 'utf8')
  const workspaces = await workspaceDirs(repo)
  t.ok(workspaces.length >= 5)
  for (const dir of workspaces)
    t.ok(file.includes(`:/repo/${dir}/node_modules`), `${dir}/node_modules is a volume`)
})

t.test('dev.yml comes up; an edit in the bind mount changes a response without a restart', async (t) => {
  const build = await seconds(() => stack.compose(['build'], { timeoutMs: 900_000 }))
  t.comment(`docker compose -f infra/compose/dev.yml build: ${build.seconds} s`)
  const up = await seconds(async () => {
    await stack.compose(['up', '-d'], { timeoutMs: 120_000 })
    return waitReady(apiUrl, 120_000)
  })
  t.comment(`up to ready: ${up.seconds} s`)

  // Postgres answers an SSLRequest with one byte ('N' without TLS); Redis answers PING.
  const sslRequest = Uint8Array.of(0, 0, 0, 8, 4, 210, 22, 47)
  t.equal(await tcpExchange(postgresPort, sslRequest), 'N', 'Postgres is published on POSTGRES_PORT')
  t.equal(await tcpExchange(redisPort, 'PING\r\n'), '+PONG\r\n', 'Redis is published on REDIS_PORT')

  const [api] = await stack.containers('api')
  const before = await inspect(api as string)
  const title = async () => (await hostFetch(`${apiUrl}/openapi.json`)).json().info.title as string
  const original = await title()

  // Rewritten in place, as most editors save.
  const source = join(repo, 'apps/api/src/plugins/openapi.ts')
  const text = await readFile(source, 'utf8')
  const edited = `${original} (edited ${stack.project})`
  t.ok(text.includes(`title: '${original}'`), 'the title is in plugins/openapi.ts')
  await writeFile(source, text.replace(`title: '${original}'`, `title: '${edited}'`))

  const reload = await seconds(() =>
    waitFor('the edited title in /openapi.json', 60_000, async () =>
      (await title()) === edited ? true : undefined,
    ),
  )
  t.comment(`reloaded after ${reload.seconds} s`)
  t.pass('the response changed after the edit')
  const after = await inspect(api as string)
  t.same(
    [after.Id, after.State.StartedAt, after.RestartCount],
    [before.Id, before.State.StartedAt, before.RestartCount],
    'same container, never restarted',
  )
})

/** Every folder pnpm-workspace.yaml's `packages:` globs (`dir/*` or `dir`) match. */
async function workspaceDirs(root: string): Promise<string[]> {
  const manifest = await readFile(join(root, 'pnpm-workspace.yaml'), 'utf8')
  const block = manifest.split(/^packages:\n/m)[1]?.split(/^\S/m)[0] ?? ''
  const globs = [...block.matchAll(/^\s+-\s+(\S+)/gm)].map((match) => match[1] as string)
  const dirs = await Promise.all(
    globs.map(async (glob) => {
      if (!glob.endsWith('/*')) return [glob]
      const parent = glob.slice(0, -2)
      const entries = await readdir(join(root, parent), { withFileTypes: true }).catch(() => [])
      return entries.filter((entry) => entry.isDirectory()).map((entry) => `${parent}/${entry.name}`)
    }),
  )
  return dirs.flat()
}
