import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The tag infra/compose/prod.yml builds (`API_IMAGE` overrides it there and here). */
export const API_IMAGE = process.env.API_IMAGE ?? 'fastify-compose-reference/api:local'

/** The production image's size, if it was built (`pnpm test:compose` or `pnpm bench --build-image`). */
export async function imageSize(): Promise<string> {
  try {
    const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{.Size}}', API_IMAGE])
    return `${API_IMAGE}: ${(Number(stdout.trim()) / 1e6).toFixed(1)} MB`
  } catch {
    return `${API_IMAGE} not built (\`pnpm test:compose\` or \`pnpm bench --build-image\` builds it)`
  }
}

/** Builds the runtime image as infra/compose/prod.yml does, with its output on stderr. */
export async function buildImage(root: string): Promise<void> {
  const child = spawn(
    'docker',
    [
      'build',
      '--file=apps/api/Dockerfile',
      '--target=runtime',
      `--tag=${API_IMAGE}`,
      `--build-arg=NODE_IMAGE=${process.env.NODE_IMAGE ?? 'node:24-bookworm-slim'}`,
      `--build-arg=RUNTIME_IMAGE=${process.env.DEBIAN_IMAGE ?? 'debian:bookworm-slim'}`,
      '.',
    ],
    {
      cwd: root,
      stdio: ['ignore', process.stderr, process.stderr],
      env: { DOCKER_BUILDKIT: '1', ...process.env },
    },
  )
  const [code] = await once(child, 'exit')
  if (code !== 0) throw new Error(`docker build exited ${code}`)
}
