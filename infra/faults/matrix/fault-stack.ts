import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { waitReady } from '../../harness/board.ts'
import { running, waitHealthy } from '../../harness/docker.ts'
import { run } from '../../harness/run.ts'
import { createStack, freePort, ONE_ADDRESS_LOAD, REPO, type Stack } from '../../harness/stack.ts'

/** prod.yml with three replicas, laid over with faults.yml (a Redis relay that can add latency). */
export interface FaultStack {
  stack: Stack
  proxyUrl: string
  /** The first running container of a service. */
  container(service: string): Promise<string>
  up(): Promise<void>
}

export async function createFaultStack(t: Test): Promise<FaultStack> {
  const port = await freePort()
  const secretsDir = await mkdtemp(join(tmpdir(), 'fcrfaults-secrets-'))
  t.teardown(() => rm(secretsDir, { recursive: true, force: true }))
  await run(join(REPO, 'infra/scripts/generate-secrets.sh'), [secretsDir])
  const stack = await createStack(t, {
    file: join(REPO, 'infra/compose/prod.yml'),
    overlays: [join(REPO, 'infra/faults/faults.yml')],
    env: { HTTP_PORT: String(port), SECRETS_DIR: secretsDir, ...ONE_ADDRESS_LOAD },
    builtImages: { API_IMAGE: 'api', APP_REDIS_IMAGE: 'redis' },
  })
  const proxyUrl = `http://127.0.0.1:${port}`
  const faultStack: FaultStack = {
    stack,
    proxyUrl,
    async container(service) {
      const [id] = await running(stack, service)
      if (!id) throw new Error(`no running ${service} container`)
      return id
    },
    async up() {
      await stack.compose(['up', '-d', '--scale', 'api=3'], { timeoutMs: 180_000 })
      await waitReady(proxyUrl, 120_000)
      await waitHealthy(stack, 'api', 3, 120_000)
    },
  }
  await stack.compose(['build'], { timeoutMs: 900_000 })
  await faultStack.up()
  return faultStack
}
