import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunOptions, type RunResult, run, runSync, waitFor } from '../../harness/run.ts'
import { freePort } from '../../harness/stack.ts'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** One engine of the Swarm: a DIND_IMAGE container on the outer engine. */
export interface SwarmNode {
  /** The container's name on the outer engine. */
  readonly container: string
  /** Its hostname, which is the Swarm node's name (node1, node2, node3). */
  readonly name: string
  /** 127.0.0.1:PORT on the outer engine reaches this node's port 8080 (the proxy, published in host mode). */
  readonly httpPort: number
  /** `docker ARGS…` on this node's own engine. */
  docker(args: string[], options?: RunOptions): Promise<RunResult>
}

export interface Cluster {
  readonly prefix: string
  readonly nodes: readonly SwarmNode[]
  readonly manager: SwarmNode
  /** The environment in which the docker CLI on this machine talks to the manager (DOCKER_HOST). */
  readonly env: NodeJS.ProcessEnv
  /** `docker ARGS…` against the manager from this machine, as a user's CLI would. */
  swarm(args: string[], options?: RunOptions): Promise<RunResult>
  /** Kills a node's container: the host is gone (its disk is removed with the others at the end). */
  kill(node: SwarmNode): Promise<void>
}

const DIND_FLAGS = [
  // containers/README.md, "Several engines": --privileged is refused here.
  '--cap-add',
  'ALL',
  '--cap-drop',
  'SYS_RESOURCE',
  '--security-opt',
  'seccomp=unconfined',
  '--security-opt',
  'apparmor=unconfined',
  '--security-opt',
  'systempaths=unconfined',
  '--volume',
  '/sys/fs/cgroup:/sys/fs/cgroup:rw',
]

/**
 * Three engines from DIND_IMAGE on a network of their own, node1 the manager
 * (its API on a loopback port of this machine) and node2, node3 workers; every
 * node publishes its port 8080 on loopback. All of it is removed (with the
 * nodes' volumes) when the test ends.
 */
export async function createCluster(t: Teardown, size = 3): Promise<Cluster> {
  const prefix = `fcrswarm${randomBytes(3).toString('hex')}`
  const image = process.env.DIND_IMAGE ?? 'docker:dind'
  const containers = Array.from({ length: size }, (_, i) => `${prefix}-node${i + 1}`)
  const cleanupSync = () => {
    runSync('docker', ['rm', '--force', '--volumes', ...containers])
    runSync('docker', ['network', 'rm', prefix])
  }
  const onSignal = (signal: NodeJS.Signals) => {
    cleanupSync()
    process.kill(process.pid, signal)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  t.teardown(async () => {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    await run('docker', ['rm', '--force', '--volumes', ...containers], {
      allowFailure: true,
      timeoutMs: 300_000,
    })
    await run('docker', ['network', 'rm', prefix], { allowFailure: true })
  })

  await run('docker', ['network', 'create', prefix])
  const apiPort = await freePort()
  const nodes: SwarmNode[] = []
  for (const [i, container] of containers.entries()) {
    const httpPort = await freePort()
    const name = `node${i + 1}`
    const manager = i === 0
    await run('docker', [
      'run',
      '--detach',
      '--name',
      container,
      '--hostname',
      name,
      '--network',
      prefix,
      ...DIND_FLAGS,
      '--publish',
      `127.0.0.1:${httpPort}:8080`,
      // The manager's engine API in plain TCP, on loopback only: the CLI here deploys through it.
      ...(manager ? ['--env', 'DOCKER_TLS_CERTDIR=', '--publish', `127.0.0.1:${apiPort}:2375`] : []),
      image,
    ])
    nodes.push({
      container,
      name,
      httpPort,
      docker: (args, options) => run('docker', ['exec', '-i', container, 'docker', ...args], options),
    })
  }
  await Promise.all(
    nodes.map((node) =>
      waitFor(`${node.name}'s engine`, 60_000, async () =>
        (await node.docker(['info'])).code === 0 ? true : undefined,
      ),
    ),
  )
  const [manager, ...workers] = nodes as [SwarmNode, ...SwarmNode[]]
  const { stdout: address } = await run('docker', [
    'inspect',
    '--format',
    `{{(index .NetworkSettings.Networks "${prefix}").IPAddress}}`,
    manager.container,
  ])
  // One stopped task kept per slot (default 5): each is a container, a full vfs copy of its image.
  await manager.docker(['swarm', 'init', '--task-history-limit', '1', '--advertise-addr', address.trim()])
  const { stdout: token } = await manager.docker(['swarm', 'join-token', '--quiet', 'worker'])
  for (const worker of workers)
    await worker.docker(['swarm', 'join', '--token', token.trim(), `${address.trim()}:2377`])

  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `tcp://127.0.0.1:${apiPort}` }
  delete env.DOCKER_CONTEXT
  const swarm = (args: string[], options: RunOptions = {}) => run('docker', args, { env, ...options })
  await waitFor('every node Ready', 60_000, async () => {
    const { stdout } = await swarm(['node', 'ls', '--format', '{{.Status}}'])
    const states = stdout.trim().split('\n')
    return states.length === size && states.every((state) => state === 'Ready') ? true : undefined
  })
  return {
    prefix,
    nodes,
    manager,
    env,
    swarm,
    async kill(node) {
      await run('docker', ['kill', node.container])
    },
  }
}

/**
 * `docker save` of each node's images into one file (layers the images share
 * are saved and applied once), then `docker load` on the nodes side by side.
 */
export async function loadImages(
  t: Teardown,
  targets: { node: SwarmNode; images: string[] }[],
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fcrswarm-images-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  for (const image of new Set(targets.flatMap(({ images }) => images))) {
    // The official images (CI on GitHub) are pulled once here; the kit's are present.
    if ((await run('docker', ['image', 'inspect', image], { allowFailure: true })).code !== 0) {
      await run('docker', ['pull', image], { timeoutMs: 600_000 })
    }
  }
  const archives = new Map<string, string>()
  for (const { images } of targets) {
    const key = images.join(' ')
    if (archives.has(key)) continue
    const file = join(dir, `${archives.size}.tar`)
    await run('docker', ['save', '--output', file, ...images])
    archives.set(key, file)
  }
  await Promise.all(
    targets.map(({ node, images }) => pipeInto(archives.get(images.join(' ')) as string, node.container)),
  )
}

function pipeInto(file: string, container: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const input = openSync(file, 'r')
    const child = spawn('docker', ['exec', '-i', container, 'docker', 'load', '--quiet'], {
      stdio: [input, 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      closeSync(input)
      return code === 0
        ? resolve()
        : reject(new Error(`docker load on ${container} exited ${code}: ${stderr}`))
    })
  })
}

/**
 * The image as one layer, its configuration kept (environment, entrypoint,
 * command, user, working directory, ports, volumes, stop signal, healthcheck).
 * The nodes store images with vfs, where every layer is a full copy of the
 * file system: a ten-layer image costs ten copies to load and to delete, one
 * layer costs one.
 */
export async function flatten(t: Teardown, image: string, tag: string): Promise<string> {
  const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{json .Config}}', image])
  const config = JSON.parse(stdout)
  const lines = ['FROM scratch', `COPY --from=${image} / /`]
  for (const variable of config.Env ?? []) {
    const [name, ...value] = String(variable).split('=')
    lines.push(`ENV ${name}=${JSON.stringify(value.join('=')).replaceAll('$', '\\$')}`)
  }
  if (config.User) lines.push(`USER ${config.User}`)
  if (config.WorkingDir) lines.push(`WORKDIR ${config.WorkingDir}`)
  for (const port of Object.keys(config.ExposedPorts ?? {})) lines.push(`EXPOSE ${port}`)
  for (const volume of Object.keys(config.Volumes ?? {})) lines.push(`VOLUME ${JSON.stringify([volume])}`)
  if (config.StopSignal) lines.push(`STOPSIGNAL ${config.StopSignal}`)
  const check = config.Healthcheck
  if (check?.Test?.[0] === 'NONE') lines.push('HEALTHCHECK NONE')
  else if (check?.Test) {
    const [kind, ...test] = check.Test as string[]
    const option = (name: string, ns?: number) => (ns ? [`--${name}=${ns / 1e9}s`] : [])
    const options = [
      ...option('interval', check.Interval),
      ...option('timeout', check.Timeout),
      ...option('start-period', check.StartPeriod),
      ...(check.Retries ? [`--retries=${check.Retries}`] : []),
    ]
    const command = kind === 'CMD-SHELL' ? test.join(' ') : JSON.stringify(test)
    lines.push(`HEALTHCHECK ${options.join(' ')} CMD ${command}`)
  }
  if (config.Entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(config.Entrypoint)}`)
  if (config.Cmd) lines.push(`CMD ${JSON.stringify(config.Cmd)}`)
  t.teardown(() => run('docker', ['rmi', '--force', tag], { allowFailure: true }))
  await run('docker', ['build', '--tag', tag, '-'], {
    input: `${lines.join('\n')}\n`,
    env: { ...process.env, DOCKER_BUILDKIT: '1' },
  })
  return tag
}
