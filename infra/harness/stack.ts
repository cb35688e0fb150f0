import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
import { type RunOptions, type RunResult, run, runSync } from './run.ts'

export const REPO = resolve(import.meta.dirname, '../..')

/** Compose v2 when the docker CLI has it, else v1's docker-compose. */
async function composeCli(): Promise<string[]> {
  const v2 = await run('docker', ['compose', 'version'], { allowFailure: true })
  return v2.code === 0 ? ['docker', 'compose'] : ['docker-compose']
}

export interface Stack {
  readonly project: string
  readonly file: string
  /** The environment every command of this stack runs with (scripts included). */
  readonly env: NodeJS.ProcessEnv
  /** `docker compose -f FILE ARGS…` (or docker-compose) with the stack's environment. */
  compose(args: string[], options?: RunOptions): Promise<RunResult>
  /** The same with more files laid over the stack's, e.g. to change one service for a while. */
  composeWith(overlays: string[], args: string[], options?: RunOptions): Promise<RunResult>
  /** Container ids of a service, running or not, in replica order. */
  containers(service: string): Promise<string[]>
  /** Removes containers, networks, volumes and the images this stack built. */
  destroy(): Promise<void>
}

export interface StackOptions {
  file: string
  /** Compose files laid over `file`, in order. */
  overlays?: string[]
  env: Record<string, string>
  /** Variables naming the images the stack builds, e.g. { API_IMAGE: 'api' }: each
   * gets a tag of this project's own, removed by destroy(). */
  builtImages: Record<string, string>
}

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * A Compose project of its own (random name), torn down with its volumes and
 * built images when the test ends, fails, or is interrupted.
 */
export async function createStack(t: Teardown, options: StackOptions): Promise<Stack> {
  const cli = await composeCli()
  const project = `fcrtest${randomBytes(4).toString('hex')}`
  const images = Object.fromEntries(
    Object.entries(options.builtImages).map(([variable, name]) => [variable, `${project}-${name}:test`]),
  )
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, ...images, COMPOSE_PROJECT_NAME: project }
  delete env.COMPOSE_FILE
  const [command = 'docker-compose', ...prefix] = cli
  const files = [options.file, ...(options.overlays ?? [])].flatMap((file) => ['-f', file])
  const composeArgs = (args: string[]) => [...prefix, ...files, ...args]

  const destroyArgs = composeArgs(['down', '--volumes', '--remove-orphans', '--timeout', '5'])
  const cleanupSync = () => {
    runSync(command, destroyArgs, env)
    runSync('docker', ['rmi', '--force', ...Object.values(images)])
  }
  const onSignal = (signal: NodeJS.Signals) => {
    cleanupSync()
    process.kill(process.pid, signal)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  const stack: Stack = {
    project,
    file: options.file,
    env,
    compose: (args, runOptions = {}) => run(command, composeArgs(args), { env, ...runOptions }),
    composeWith: (overlays, args, runOptions = {}) =>
      run(command, composeArgs([...overlays.flatMap((file) => ['-f', file]), ...args]), {
        env,
        ...runOptions,
      }),
    async containers(service) {
      const { stdout } = await run('docker', [
        'ps',
        '--all',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--filter',
        `label=com.docker.compose.service=${service}`,
        '--format',
        '{{.Label "com.docker.compose.container-number"}} {{.ID}}',
      ])
      return stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ') as [string, string])
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([, id]) => id)
    },
    async destroy() {
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
      await run(command, destroyArgs, { env, allowFailure: true })
      await run('docker', ['rmi', '--force', ...Object.values(images)], { allowFailure: true })
    },
  }
  t.teardown(() => stack.destroy())
  return stack
}

/**
 * A test's load is many visitors sent from one address (the test's), which
 * the per-address limits exist to stop: at the edge (NGINX_*) and in the api
 * (reads; writes keep RATE_LIMIT_MAX unless a suite says otherwise). Suites
 * whose load is not about those limits set them out of its way; the hostile
 * suite tests them at their defaults.
 */
export const ONE_ADDRESS_LOAD = {
  RATE_LIMIT_READ_MAX: '10000000',
  NGINX_RATE_LIMIT: '1000000',
  NGINX_RATE_BURST: '1000000',
  NGINX_CONN_LIMIT: '60000',
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      )
    })
  })
}
