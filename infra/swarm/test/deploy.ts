import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { run, waitFor } from '../../harness/run.ts'
import { REPO } from '../../harness/stack.ts'
import type { Cluster, SwarmNode } from './cluster.ts'

export const STACK_FILE = join(REPO, 'infra/swarm/stack.yml')
export const MANAGED_FILE = join(REPO, 'infra/swarm/managed.yml')
export const STACK = 'board'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** The api and Redis images, built once on this machine's engine as prod.yml builds them. */
export async function buildImages(t: Teardown, prefix: string): Promise<{ api: string; redis: string }> {
  const api = `${prefix}-api:test`
  const redis = `${prefix}-redis:test`
  t.teardown(() => run('docker', ['rmi', '--force', api, redis], { allowFailure: true }))
  const env = { ...process.env, DOCKER_BUILDKIT: '1' }
  const arg = (name: string, value: string) => ['--build-arg', `${name}=${value}`]
  await Promise.all([
    run(
      'docker',
      [
        'build',
        '--target',
        'runtime',
        ...arg('NODE_IMAGE', process.env.NODE_IMAGE ?? 'node:24-bookworm-slim'),
        ...arg('RUNTIME_IMAGE', process.env.DEBIAN_IMAGE ?? 'debian:bookworm-slim'),
        '--file',
        'apps/api/Dockerfile',
        '--tag',
        api,
        '.',
      ],
      { cwd: REPO, env, timeoutMs: 900_000 },
    ),
    run(
      'docker',
      ['build', ...arg('REDIS_IMAGE', process.env.REDIS_IMAGE ?? 'redis:7-bookworm'), '--tag', redis, '.'],
      {
        cwd: join(REPO, 'infra/redis'),
        env,
      },
    ),
  ])
  return { api, redis }
}

/** The secrets stack.yml names, read from its `secrets:` section. */
export async function secretNames(): Promise<string[]> {
  const stack = parse(await readFile(STACK_FILE, 'utf8'))
  return Object.keys(stack.secrets ?? {})
}

/**
 * A folder of secret files: what infra/scripts/generate-secrets.sh writes, and
 * any secret stack.yml names that the script does not (yet) write, made the
 * way the script makes them (32 random bytes in hex; admin_token as `id:token`).
 */
export async function secretsDir(t: Teardown): Promise<{ dir: string; generated: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'fcrswarm-secrets-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await run(join(REPO, 'infra/scripts/generate-secrets.sh'), [dir])
  const generated: string[] = []
  for (const name of await secretNames()) {
    const file = join(dir, name)
    if ((await stat(file).catch(() => undefined))?.size) continue
    const value = randomBytes(32).toString('hex')
    await writeFile(file, name === 'admin_token' ? `admin:${value}` : value, { mode: 0o600 })
    generated.push(name)
  }
  return { dir, generated }
}

/** `docker stack deploy` from this machine's CLI to the manager, as the README says. */
export async function deployStack(cluster: Cluster, env: Record<string, string>): Promise<void> {
  await cluster.swarm(['stack', 'deploy', '--compose-file', STACK_FILE, '--resolve-image', 'never', STACK], {
    env: { ...cluster.env, ...env },
    cwd: REPO,
  })
}

export interface Task {
  id: string
  name: string
  node: string
  desired: string
  current: string
  image: string
}

/** A service's tasks as `docker service ps` lists them. */
export async function tasks(cluster: Cluster, service: string): Promise<Task[]> {
  const { stdout } = await cluster.swarm([
    'service',
    'ps',
    `${STACK}_${service}`,
    '--no-trunc',
    '--format',
    '{{.ID}}|{{.Name}}|{{.Node}}|{{.DesiredState}}|{{.CurrentState}}|{{.Image}}',
  ])
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', name = '', node = '', desired = '', current = '', image = ''] = line.split('|')
      return { id, name, node, desired, current, image }
    })
}

/**
 * Tasks meant to run that do run (healthy: a task with a healthcheck stays
 * "Starting" until it passes), on a node still there.
 */
export async function runningTasks(cluster: Cluster, service: string, gone: string[] = []): Promise<Task[]> {
  return (await tasks(cluster, service)).filter(
    (task) => task.desired === 'Running' && task.current.startsWith('Running') && !gone.includes(task.node),
  )
}

/** Waits until exactly `count` tasks of the service run (and nothing else is meant to), optionally on one image. */
export function waitTasks(
  cluster: Cluster,
  service: string,
  count: number,
  options: { timeoutMs?: number; gone?: string[]; image?: string } = {},
): Promise<Task[]> {
  return waitFor(`${count} running ${service} task(s)`, options.timeoutMs ?? 300_000, async () => {
    const all = await tasks(cluster, service)
    const meant = all.filter((task) => task.desired === 'Running' && !options.gone?.includes(task.node))
    const up = await runningTasks(cluster, service, options.gone)
    const onImage = up.every((task) => !options.image || task.image === options.image)
    return up.length === count && meant.length === count && onImage ? up : undefined
  })
}

/** The container id of a running task, on the node that runs it. */
export async function taskContainer(node: SwarmNode, task: Task): Promise<string> {
  const { stdout } = await node.docker([
    'ps',
    '--quiet',
    '--filter',
    `label=com.docker.swarm.task.id=${task.id}`,
  ])
  const id = stdout.trim()
  if (!id) throw new Error(`no container for task ${task.name} on ${node.name}`)
  return id
}

/** One value from psql inside the db task's container (local socket, no password). */
export async function sql(cluster: Cluster, query: string, extra: string[] = []): Promise<string> {
  const [db] = await runningTasks(cluster, 'db')
  if (!db) throw new Error('no running db task')
  const node = cluster.nodes.find(({ name }) => name === db.node) as SwarmNode
  const container = await taskContainer(node, db)
  const { stdout } = await node.docker([
    'exec',
    container,
    'psql',
    '-U',
    'app',
    '-d',
    'app',
    '-tA',
    ...extra,
    '-c',
    query,
  ])
  return stdout.trim()
}
