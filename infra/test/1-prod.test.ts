import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { type BoardState, readBoard, waitReady } from './helpers/board.ts'
import { health, inspect, logs, running, sql, volumes, waitHealthy } from './helpers/docker.ts'
import { fetchInside, hostFetch, startLoad } from './helpers/http.ts'
import { copyRepo } from './helpers/repo.ts'
import { run, seconds, sleep, waitFor } from './helpers/run.ts'
import { createStack, freePort, REPO } from './helpers/stack.ts'

// The production stack exactly as the README runs it, in a Compose project of
// its own on a free port, with secrets from the generator script.
const port = await freePort()
const secretsDir = await mkdtemp(join(tmpdir(), 'fcrtest-secrets-'))
t.teardown(() => rm(secretsDir, { recursive: true, force: true }))
await run(join(REPO, 'infra/scripts/generate-secrets.sh'), [secretsDir])

const stack = await createStack(t, {
  file: join(REPO, 'infra/compose/prod.yml'),
  env: { HTTP_PORT: String(port), SECRETS_DIR: secretsDir },
  builtImages: { API_IMAGE: 'api', APP_REDIS_IMAGE: 'redis' },
})
const proxyUrl = `http://127.0.0.1:${port}`
const upScaled = ['up', '-d', '--scale', 'api=3']
const script = (name: string, args: string[]) =>
  run(join(REPO, 'infra/scripts', name), args, { env: stack.env, cwd: REPO, timeoutMs: 300_000 })
const journal = JSON.parse(await readFile(join(REPO, 'packages/db/migrations/meta/_journal.json'), 'utf8'))

let stackUp = false
const needsStack = (t: Test) => {
  if (!stackUp) t.fail('the stack did not come up (property 1)')
  return stackUp
}

t.comment(`compose project ${stack.project}, proxy on port ${port}`)

t.test(
  '1. prod.yml builds and comes up healthy; /health/ready through the proxy is 200 within 90 s of up',
  async (t) => {
    const build = await seconds(() => stack.compose(['build'], { timeoutMs: 900_000 }))
    t.comment(`docker compose build: ${build.seconds} s (engine build cache as found)`)

    const up = await seconds(async () => {
      await stack.compose(upScaled, { timeoutMs: 120_000 })
      return waitReady(proxyUrl, 90_000)
    })
    t.comment(`up to ready through the proxy: ${up.seconds} s`)
    t.ok(up.seconds <= 90, 'ready within 90 s of `up`')
    t.equal(up.value.json().status, 'ok')

    for (const [service, count] of [
      ['db', 1],
      ['redis', 1],
      ['api', 3],
      ['proxy', 1],
    ] as const) {
      const ids = await waitHealthy(stack, service, count, 60_000)
      t.equal(ids.length, count, `${service}: ${count} healthy`)
    }
    const [migrate] = await stack.containers('migrate')
    t.equal((await inspect(migrate as string)).State.ExitCode, 0, 'migrate exited 0')
    stackUp = true
  },
)

t.test(
  '2. migrations ran once for three replicas; writes through the proxy are seen by every replica',
  async (t) => {
    if (!needsStack(t)) return
    const migrates = await stack.containers('migrate')
    t.equal(migrates.length, 1, 'one migrate container')
    t.match(await logs(migrates[0] as string), /migrations applied/)
    t.equal(
      await sql(stack, 'select count(*) from drizzle.__drizzle_migrations'),
      String(journal.entries.length),
      'each migration recorded exactly once',
    )

    const replicas = await running(stack, 'api')
    t.equal(replicas.length, 3, 'three api replicas')

    const start = (await hostFetch(`${proxyUrl}/api/visits`)).json().count as number
    const counts: number[] = []
    for (let i = 0; i < 30; i++) {
      counts.push((await hostFetch(`${proxyUrl}/api/visits`, { method: 'POST' })).json().count)
    }
    t.same(
      counts,
      Array.from({ length: 30 }, (_, i) => start + i + 1),
      '30 increments through the proxy count 1 by 1 on one counter',
    )
    const addresses = await Promise.all(
      replicas.map(async (id) => {
        const networks = (await inspect(id)).NetworkSettings.Networks
        return networks[`${stack.project}_edge`]?.IPAddress as string
      }),
    )
    const [proxy] = await running(stack, 'proxy')
    const upstreams = new Set(
      [
        ...(await logs(proxy as string)).matchAll(
          /"POST \/api\/visits [^"]*" 200 .* upstream=([\d.]+):3000/g,
        ),
      ].map((match) => match[1]),
    )
    t.same(
      [...upstreams].sort(),
      [...addresses].sort(),
      'the proxy spread the increments over all three replicas',
    )
    for (const [i, id] of replicas.entries()) {
      const reply = await fetchInside(id, 'http://127.0.0.1:3000/api/visits')
      t.equal(reply.json().count, start + 30, `replica ${i + 1} reads the same counter`)
    }

    const [first, ...others] = replicas as [string, ...string[]]
    const viaReplica = await fetchInside(first, 'http://127.0.0.1:3000/api/messages', {
      method: 'POST',
      body: { content: `posted on replica 1 of ${stack.project}` },
    })
    t.equal(viaReplica.status, 201)
    const viaProxy = await hostFetch(`${proxyUrl}/api/messages`, {
      method: 'POST',
      body: { content: 'posted through the proxy' },
    })
    t.equal(viaProxy.status, 201)
    const ids = [viaReplica.json().id, viaProxy.json().id]
    for (const [i, id] of others.entries()) {
      const listed = (await fetchInside(id, 'http://127.0.0.1:3000/api/messages')).json()
      const listedIds = listed.items.map((message: { id: number }) => message.id)
      t.ok(
        ids.every((posted) => listedIds.includes(posted)),
        `replica ${i + 2} lists both messages, the one posted on replica 1 included`,
      )
    }
  },
)

let persisted: BoardState | undefined
t.test('3. counter and messages survive `down` and `up` (named volumes)', async (t) => {
  if (!needsStack(t)) return
  const before = await readBoard(proxyUrl)
  t.ok(before.visits >= 30 && before.messages.length >= 2, 'there is state to keep')

  await stack.compose(['down'])
  t.same(await stack.containers('api'), [], 'containers removed')
  t.equal((await volumes(stack)).length, 2, 'both volumes kept')

  await stack.compose(upScaled, { timeoutMs: 120_000 })
  await waitReady(proxyUrl)
  t.same(await readBoard(proxyUrl), before, 'same counter and same messages')
  t.equal(
    await sql(stack, 'select count(*) from drizzle.__drizzle_migrations'),
    String(journal.entries.length),
    'migrate ran again and applied nothing',
  )
  persisted = before
})

t.test('4. isolation: private backends, password-only Redis, non-root, read-only', async (t) => {
  if (!needsStack(t)) return
  const services = ['proxy', 'api', 'db', 'redis'] as const
  const ids = Object.fromEntries(await Promise.all(services.map(async (s) => [s, await running(stack, s)])))

  for (const service of services) {
    for (const id of ids[service]) {
      const info = await inspect(id)
      const published = Object.entries(info.NetworkSettings.Ports ?? {})
        .filter(([, bindings]) => Array.isArray(bindings) && bindings.length > 0)
        .map(([containerPort]) => containerPort)
      t.same(published, service === 'proxy' ? ['8080/tcp'] : [], `${service} publishes ${published}`)
    }
  }
  for (const service of ['db', 'redis']) {
    const networks = Object.keys((await inspect(ids[service][0])).NetworkSettings.Networks)
    for (const network of networks) {
      const { stdout } = await run('docker', ['network', 'inspect', '-f', '{{.Internal}}', network])
      t.equal(stdout.trim(), 'true', `${service} is only on internal networks (${network})`)
    }
  }

  for (const id of ids.api) {
    const ready = (await fetchInside(id, 'http://127.0.0.1:3000/health/ready')).json()
    t.same(
      [ready.checks.postgres.status, ready.checks.redis.status],
      ['ok', 'ok'],
      'an api replica reaches Postgres and Redis',
    )
  }
  const backendIp = async (service: string) =>
    (await inspect(ids[service][0])).NetworkSettings.Networks[`${stack.project}_backend`].IPAddress as string
  for (const target of [
    'db:5432',
    'redis:6379',
    `${await backendIp('db')}:5432`,
    `${await backendIp('redis')}:6379`,
  ]) {
    const attempt = await run(
      'docker',
      ['exec', ids.proxy[0], 'curl', '-sS', '--connect-timeout', '3', '--max-time', '5', `http://${target}/`],
      { allowFailure: true },
    )
    // 6: name not resolved, 7: connection failed, 28: timed out (anything else reached the server)
    t.ok([6, 7, 28].includes(attempt.code), `the proxy cannot reach ${target} (curl exit ${attempt.code})`)
  }

  const redis = ids.redis[0]
  const anonymous = await run('docker', ['exec', redis, 'redis-cli', '-h', 'redis', 'ping'], {
    allowFailure: true,
  })
  t.match(anonymous.stdout + anonymous.stderr, /NOAUTH/, 'Redis refuses a client without the password')
  for (const command of ['FLUSHALL', 'CONFIG GET maxmemory', 'KEYS *']) {
    const asApp = await run('docker', [
      'exec',
      redis,
      'sh',
      '-c',
      `REDISCLI_AUTH="$(cat /run/secrets/redis_password)" redis-cli --no-auth-warning --user app ${command}`,
    ])
    t.match(asApp.stdout, /NOPERM/, `the app user may not run ${command}`)
  }

  const all = [...(await stack.containers('migrate')), ...services.flatMap((s) => ids[s] as string[])]
  for (const id of all) {
    const info = await inspect(id)
    const name = info.Config.Labels['com.docker.compose.service']
    t.notMatch(info.Config.User, /^(|0|root)(:.*)?$/, `${name} is configured to run as ${info.Config.User}`)
    if (info.State.Running) {
      const { stdout } = await run('docker', ['top', id, '-eo', 'uid,pid,comm'])
      const uids = stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/)[0])
      t.notOk(uids.includes('0'), `${name}: no process runs as root (uids ${[...new Set(uids)]})`)
    }
    t.equal(info.HostConfig.ReadonlyRootfs, true, `${name}: read-only root filesystem`)
    t.same(info.HostConfig.CapDrop, ['ALL'], `${name}: all capabilities dropped`)
    t.ok(info.HostConfig.SecurityOpt?.includes('no-new-privileges:true'), `${name}: no-new-privileges`)
    t.ok(info.HostConfig.Memory > 0 && info.HostConfig.PidsLimit > 0, `${name}: memory and pids limits`)
    t.equal(info.HostConfig.LogConfig.Config['max-size'], '10m', `${name}: log rotation`)
  }
  const passwords = await Promise.all(
    ['postgres_password', 'redis_password', 'redis_admin_password'].map((name) =>
      readFile(join(secretsDir, name), 'utf8'),
    ),
  )
  for (const id of all) {
    const info = await inspect(id)
    const exposed = [JSON.stringify(info.Config.Env), JSON.stringify(info.Args), await logs(id)].join('\n')
    t.notOk(
      passwords.some((password) => exposed.includes(password)),
      `${info.Config.Labels['com.docker.compose.service']}: no password in its environment, arguments or logs`,
    )
  }

  const write = await run(
    'docker',
    ['exec', ids.api[0], 'node', '-e', "require('node:fs').writeFileSync('/app/dist/server.js', '')"],
    { allowFailure: true },
  )
  t.match(write.stderr, /EROFS/, "the api container's root filesystem refuses writes")
})

t.test('5. a replica that dies loses no request through the proxy and comes back', async (t) => {
  if (!needsStack(t)) return
  const load = startLoad([`${proxyUrl}/api/visits`, `${proxyUrl}/api/messages`])
  await sleep(1000)
  const [crashed, stopped, killed] = (await running(stack, 'api')) as [string, string, string]

  // A crash: the process dies without Docker being asked, so the restart policy applies.
  const restarts = (await inspect(crashed)).RestartCount
  const killNode =
    'for p in /proc/[0-9]*; do [ "$(readlink "$p/exe")" = /usr/local/bin/node ] && kill -KILL "$(basename "$p")"; done; true'
  await run('docker', ['exec', crashed, 'sh', '-c', killNode])
  await waitFor('the crashed replica to be restarted and healthy', 60_000, async () => {
    const info = await inspect(crashed)
    return info.RestartCount > restarts && (await health(crashed)) === 'healthy' ? true : undefined
  })
  t.pass('the crashed replica was restarted by its restart policy and is healthy again')

  // `docker stop`: SIGTERM through the init, readiness 503, drain, close, exit 0.
  await run('docker', ['stop', stopped])
  const stoppedInfo = await inspect(stopped)
  t.equal(stoppedInfo.State.ExitCode, 0, 'a stopped replica drains and exits 0')
  t.match(await logs(stopped), /draining, then shutting down/)

  // `docker kill`: SIGKILL from the engine, which counts as an operator's stop
  // (no automatic restart); `up` brings the replica back.
  await run('docker', ['kill', killed])
  await sleep(2000)
  t.equal((await inspect(killed)).State.ExitCode, 137, 'a killed replica dies at once')
  await stack.compose(upScaled, { timeoutMs: 120_000 })
  await waitHealthy(stack, 'api', 3)
  t.pass('`up -d --scale api=3` brings the stopped and the killed replica back')

  await sleep(1000)
  const { ok, failures } = await load.stop()
  t.comment(`${ok} requests through the proxy during crash, stop, kill and up`)
  t.ok(ok > 100, 'the load kept running')
  t.same(failures, [], 'no request failed')
})

t.test('6. backup, wipe the volumes, restore: the same rows come back', async (t) => {
  if (!needsStack(t)) return
  const before = await readBoard(proxyUrl)
  t.ok(before.messages.length >= (persisted?.messages.length ?? 1), 'there is state to back up')
  const backupDir = await mkdtemp(join(tmpdir(), 'fcrtest-backup-'))
  t.teardown(() => rm(backupDir, { recursive: true, force: true }))

  await script('backup.sh', [backupDir])
  for (const file of ['postgres.dump', 'redis-aof.tar']) {
    t.ok((await stat(join(backupDir, file))).size > 0, `${file} written`)
  }

  await stack.compose(['down', '--volumes'])
  t.same(await volumes(stack), [], 'volumes wiped')
  await stack.compose(upScaled, { timeoutMs: 120_000 })
  await waitReady(proxyUrl)
  t.same(await readBoard(proxyUrl), { visits: 0, messages: [] }, 'the new volumes are empty')

  await script('restore.sh', [backupDir])
  await waitReady(proxyUrl)
  t.same(await readBoard(proxyUrl), before, 'counter and every message restored')
})

t.test('7. the write limit is one budget shared by every replica', async (t) => {
  if (!needsStack(t)) return
  // Empty bodies: each one counts against the limit, none writes anything.
  const post = () => hostFetch(`${proxyUrl}/api/messages`, { method: 'POST', body: {} })
  let first = await post()
  const reset = Number(first.headers['x-ratelimit-reset'])
  if (reset < 30) {
    // Too close to the end of the window for the loop below: start a fresh one.
    await sleep((reset + 1) * 1000)
    first = await post()
  }
  t.equal(first.status, 400)
  const limit = stack.env.RATE_LIMIT_MAX || '120'
  t.equal(first.headers['x-ratelimit-limit'], limit, `${limit} writes per client per window (default 120)`)
  let remaining = Number(first.headers['x-ratelimit-remaining'])
  t.comment(`${remaining} writes left in this window from this address`)
  // Round robin sends these to all three replicas: with a budget per replica
  // there would be three times as many left.
  for (; remaining > 0; remaining--) {
    const reply = await post()
    if (reply.status !== 400) t.fail(`a write within the budget got ${reply.status}`)
  }
  const refused = await post()
  t.equal(refused.status, 429, 'the write after the budget is refused, whichever replica gets it')
  t.equal(refused.json().code, 'RATE_LIMITED')
  t.ok(Number(refused.headers['retry-after']) >= 1, 'with retry-after')
  t.equal((await hostFetch(`${proxyUrl}/api/messages`)).status, 200, 'reads are not limited')
})

t.test(
  'images: slim runtime without dev dependencies; dependency layers survive a source edit',
  async (t) => {
    if (!needsStack(t)) return
    const apiImage = stack.env.API_IMAGE as string
    const sizes: Record<string, number> = {}
    for (const image of [apiImage, stack.env.APP_REDIS_IMAGE as string]) {
      const { stdout } = await run('docker', ['image', 'inspect', '-f', '{{.Size}}', image])
      sizes[image] = Math.round(Number(stdout) / 1e5) / 10
    }
    t.comment(`image sizes (MB): ${JSON.stringify(sizes)}`)
    t.ok((sizes[apiImage] as number) < 250, `api image under 250 MB (${sizes[apiImage]} MB)`)

    const probe = `
    const fs = require('node:fs'), path = require('node:path')
    const exists = (p) => fs.existsSync(p)
    const modules = fs.readdirSync('/app/node_modules/.pnpm')
    const files = fs.readdirSync('/app', { recursive: true }).map(String)
    console.log(JSON.stringify({
      uid: process.getuid(),
      entry: ['dist/server.js', 'dist/migrate.js', 'node_modules/@app/db/migrations/meta/_journal.json'].every((f) => exists(path.join('/app', f))),
      devPackages: modules.filter((m) => /^(typescript|tap|@tapjs|@electric-sql|pino-pretty|testcontainers|drizzle-kit|@biomejs|turbo)[@+]/.test(m)),
      packageManagers: ['npm', 'npx', 'pnpm', 'corepack', 'yarn'].filter((b) => ['/usr/local/bin', '/usr/bin', '/bin'].some((d) => exists(path.join(d, b)))),
      sources: files.filter((f) => !f.startsWith('node_modules') && (f.endsWith('.ts') && !f.endsWith('.d.ts') || f.startsWith('src'))),
      sourceMaps: files.filter((f) => f.endsWith('.map')),
    }))`
    const { stdout } = await run('docker', ['run', '--rm', '--entrypoint', 'node', apiImage, '-e', probe])
    const image = JSON.parse(stdout)
    t.not(image.uid, 0, 'runs as a non-root user')
    t.ok(image.entry, 'compiled server, migrator and migrations present')
    t.same(image.devPackages, [], 'no development dependencies')
    t.same(image.packageManagers, [], 'no package manager')
    t.same(image.sources, [], 'no TypeScript sources')
    t.same(image.sourceMaps, [], 'no source maps')

    // One line changed in a copy of the checkout: only the build stages after the
    // source copy run again.
    const copy = await copyRepo(t)
    const edited = join(copy, 'apps/api/src/server.ts')
    await writeFile(edited, `${await readFile(edited, 'utf8')}// one-line change\n`)
    const rebuildTag = `${stack.project}-api:rebuild`
    t.teardown(() => run('docker', ['rmi', '--force', rebuildTag], { allowFailure: true }))
    const rebuild = await seconds(() =>
      run(
        'docker',
        [
          'build',
          '--progress=plain',
          '--target',
          'runtime',
          '--build-arg',
          `NODE_IMAGE=${stack.env.NODE_IMAGE ?? 'node:24-bookworm-slim'}`,
          '--build-arg',
          `RUNTIME_IMAGE=${stack.env.DEBIAN_IMAGE ?? 'debian:bookworm-slim'}`,
          '-f',
          'apps/api/Dockerfile',
          '-t',
          rebuildTag,
          '.',
        ],
        { cwd: copy, env: { ...stack.env, DOCKER_BUILDKIT: '1' } },
      ),
    )
    t.comment(`warm rebuild after a one-line source change: ${rebuild.seconds} s`)
    const log = rebuild.value.stderr + rebuild.value.stdout
    for (const step of ['pnpm fetch', 'pnpm install --frozen-lockfile']) {
      const number = log.match(new RegExp(`^#(\\d+) \\[deps [^\\]]*\\] RUN .*${step}`, 'm'))?.[1]
      t.ok(number && new RegExp(`^#${number} CACHED$`, 'm').test(log), `"${step}" came from the cache`)
    }
  },
)
