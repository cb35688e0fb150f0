import { spawn } from 'node:child_process'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Test } from 'tap'
import { inspect, logs, running, sql } from '../../../harness/docker.ts'
import { fetchInside } from '../../../harness/http.ts'
import { run } from '../../../harness/run.ts'
import { REPO, type Stack } from '../../../harness/stack.ts'
import type { ProdStack } from './prod-stack.ts'

const SERVICES = ['proxy', 'api', 'db', 'redis'] as const

async function runningIds(stack: Stack): Promise<Record<(typeof SERVICES)[number], string[]>> {
  const entries = await Promise.all(SERVICES.map(async (service) => [service, await running(stack, service)]))
  return Object.fromEntries(entries)
}

/** Only the proxy publishes a port; Postgres and Redis are on internal networks the proxy cannot reach. */
export async function storesArePrivate(t: Test, { stack }: ProdStack) {
  const ids = await runningIds(stack)
  for (const service of SERVICES) {
    for (const id of ids[service]) {
      const published = Object.entries((await inspect(id)).NetworkSettings.Ports ?? {})
        .filter(([, bindings]) => Array.isArray(bindings) && bindings.length > 0)
        .map(([containerPort]) => containerPort)
      t.same(published, service === 'proxy' ? ['8080/tcp'] : [], `${service} publishes ${published}`)
    }
  }
  for (const service of ['db', 'redis'] as const) {
    for (const network of Object.keys((await inspect(ids[service][0] as string)).NetworkSettings.Networks)) {
      const { stdout } = await run('docker', ['network', 'inspect', '-f', '{{.Internal}}', network])
      t.equal(stdout.trim(), 'true', `${service} is only on internal networks (${network})`)
    }
  }
  for (const id of ids.api) {
    const ready = (await fetchInside(id, 'http://127.0.0.1:3000/health/ready')).json()
    t.same(
      [ready.checks.postgres.status, ready.checks.redis.status],
      ['ok', 'ok'],
      'an api replica reaches both',
    )
  }
  const backendIp = async (service: 'db' | 'redis') =>
    (await inspect(ids[service][0] as string)).NetworkSettings.Networks[`${stack.project}_backend`].IPAddress
  for (const target of [
    'db:5432',
    'redis:6379',
    `${await backendIp('db')}:5432`,
    `${await backendIp('redis')}:6379`,
  ]) {
    const curl = ['exec', ids.proxy[0] as string, 'curl', '-sS', '--connect-timeout', '3', '--max-time', '5']
    const attempt = await run('docker', [...curl, `http://${target}/`], { allowFailure: true })
    // 6: name not resolved, 7: connection failed, 28: timed out (anything else reached the server)
    t.ok([6, 7, 28].includes(attempt.code), `the proxy cannot reach ${target} (curl exit ${attempt.code})`)
  }
}

/** Redis wants a password, and the app's user may not run dangerous commands. */
export async function redisRefusesStrangersAndDangerousCommands(t: Test, { stack }: ProdStack) {
  const [redis] = (await running(stack, 'redis')) as [string]
  const anonymous = await run('docker', ['exec', redis, 'redis-cli', '-h', 'redis', 'ping'], {
    allowFailure: true,
  })
  t.match(anonymous.stdout + anonymous.stderr, /NOAUTH/, 'Redis refuses a client without the password')
  for (const command of ['FLUSHALL', 'CONFIG GET maxmemory', 'KEYS *']) {
    const asApp = `REDISCLI_AUTH="$(cat /run/secrets/redis_password)" redis-cli --no-auth-warning --user app ${command}`
    const { stdout } = await run('docker', ['exec', redis, 'sh', '-c', asApp])
    t.match(stdout, /NOPERM/, `the app user may not run ${command}`)
  }
}

/** Every container: non-root, read-only root, no capabilities, no-new-privileges, limits, log rotation. */
export async function everyContainerIsHardened(t: Test, { stack }: ProdStack) {
  const ids = await runningIds(stack)
  for (const id of [...(await stack.containers('migrate')), ...SERVICES.flatMap((service) => ids[service])]) {
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
  const write = await run(
    'docker',
    [
      'exec',
      ids.api[0] as string,
      'node',
      '-e',
      "require('node:fs').writeFileSync('/app/dist/server.js', '')",
    ],
    { allowFailure: true },
  )
  t.match(write.stderr, /EROFS/, "the api container's root filesystem refuses writes")
}

/** Every secret generate-secrets.sh wrote: its name and value. */
async function secrets(secretsDir: string): Promise<{ name: string; value: string }[]> {
  const names = (await readdir(secretsDir)).filter((name) => !name.startsWith('.'))
  return Promise.all(
    names.map(async (name) => ({ name, value: await readFile(join(secretsDir, name), 'utf8') })),
  )
}

/** Who reads each secret file (generate-secrets.sh): api and migrate 1000, postgres and redis 999, nginx 101, grafana 472. */
const READER: Record<string, number> = {
  postgres_password: 999,
  'db_migrator_password.server': 999,
  'db_api_password.server': 999,
  'redis_password.server': 999,
  redis_admin_password: 999,
  grafana_admin_password: 472,
  tls_cert: 101,
  tls_key: 101,
}

/** generate-secrets.sh: each file readable by its one reader only, the folder by its owner; nothing printed. */
export async function secretFilesAreOwnerOnly(t: Test, { secretsDir }: ProdStack) {
  t.equal((await stat(secretsDir)).mode & 0o777, 0o700, 'the folder: owner only')
  const all = await secrets(secretsDir)
  t.ok(all.length >= 13, `${all.length} secret files`)
  const asRoot = process.getuid?.() === 0
  for (const { name } of all) {
    const info = await stat(join(secretsDir, name))
    t.equal(info.mode & 0o777, 0o400, `${name}: 0400`)
    if (asRoot) t.equal(info.uid, READER[name] ?? 1000, `${name}: owned by its reader`)
  }
  const { stdout } = await run(join(REPO, 'infra/scripts/generate-secrets.sh'), [secretsDir])
  for (const { name, value } of all) {
    if (name === 'tls_cert') continue // a certificate is public
    t.notOk(stdout.includes(value.trim()), `the script never prints ${name}`)
  }
}

/** No secret is in the api image: its layers, its history, its configuration. */
export async function noSecretInTheImage(t: Test, { stack, secretsDir }: ProdStack) {
  const image = stack.env.API_IMAGE as string
  const values = (await secrets(secretsDir)).filter(({ name }) => name !== 'tls_cert')
  // `docker save` writes the layers uncompressed: each value is searched for in
  // the stream, across chunk boundaries, without holding the image in memory.
  const found = new Set<string>()
  let bytes = 0
  const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'inherit'] })
  let tail = Buffer.alloc(0)
  for await (const chunk of save.stdout as AsyncIterable<Buffer>) {
    bytes += chunk.length
    const window = Buffer.concat([tail, chunk])
    for (const { name, value } of values) if (window.includes(value.trim())) found.add(name)
    tail = window.subarray(Math.max(0, window.length - 4096))
  }
  const history = await run('docker', ['history', '--no-trunc', image])
  const config = await run('docker', ['image', 'inspect', image])
  t.ok(bytes > 10_000_000, `the layers were read (${Math.round(bytes / 1e6)} MB)`)
  for (const { name, value } of values) {
    const inMetadata = [history.stdout, config.stdout].some((text) => text.includes(value.trim()))
    t.notOk(found.has(name) || inMetadata, `${name} is in no layer, history or configuration`)
  }
}

/** The api's role may read, insert and delete, and nothing else; migrations own the schema. */
export async function theApiRoleMayOnlyReadInsertAndDelete(t: Test, { stack }: ProdStack) {
  const [db] = (await running(stack, 'db')) as [string]
  const asApi = async (database: string, query: string) => {
    const script = `PGPASSWORD="$(cat /run/secrets/db_api_password)" psql -h 127.0.0.1 -U board_api -d ${database} -v ON_ERROR_STOP=1 -qtAc "$1"`
    const result = await run('docker', ['exec', db, 'sh', '-c', script, 'sh', query], { allowFailure: true })
    return { ok: result.code === 0, output: (result.stdout + result.stderr).trim() }
  }
  t.equal(
    await sql(stack, "select usename from pg_stat_activity where application_name = 'api' limit 1"),
    'board_api',
    'the api connects as board_api',
  )
  t.equal(
    await sql(stack, "select tableowner from pg_tables where tablename = 'messages'"),
    'board_migrator',
    'migrations made the tables as board_migrator',
  )
  const allowed = await asApi('app', 'select count(*) from messages; select count(*) from idempotency_keys')
  t.ok(allowed.ok, `it reads: ${allowed.output}`)
  const inserted = await asApi(
    'app',
    "insert into messages (content) values ('by the api role') returning id",
  )
  t.ok(inserted.ok, 'it inserts (and the revision trigger runs as its owner)')
  t.ok((await asApi('app', `delete from messages where id = ${Number(inserted.output)}`)).ok, 'it deletes')
  for (const refused of [
    'create table intruder (id int)',
    'alter table messages add column intruder int',
    'drop table messages',
    'truncate messages',
    "update messages set content = 'changed'",
    'create schema intruder',
    'create index intruder on messages (content)',
    'update board_revision set revision = 0',
  ]) {
    const result = await asApi('app', refused)
    t.notOk(result.ok, `refused: ${refused}`)
    t.match(result.output, /permission denied|must be owner/, refused)
  }
  for (const database of ['postgres', 'template1']) {
    const other = await asApi(database, 'select 1')
    t.notOk(other.ok, `no connection to ${database}`)
    t.match(other.output, /permission denied for database/)
  }
}

/** No password appears in any container's environment, arguments or logs. */
export async function noSecretInEnvironmentArgumentsOrLogs(t: Test, { stack, secretsDir }: ProdStack) {
  const ids = await runningIds(stack)
  const passwords = (await secrets(secretsDir))
    .filter(({ name }) => name !== 'tls_cert')
    .map(({ value }) => value.trim())
  for (const id of [...(await stack.containers('migrate')), ...SERVICES.flatMap((service) => ids[service])]) {
    const info = await inspect(id)
    const exposed = [JSON.stringify(info.Config.Env), JSON.stringify(info.Args), await logs(id)].join('\n')
    t.notOk(
      passwords.some((password) => exposed.includes(password)),
      `${info.Config.Labels['com.docker.compose.service']}: no password in its environment, arguments or logs`,
    )
  }
}
