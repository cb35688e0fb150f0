import { run, waitFor } from './run.ts'
import type { Stack } from './stack.ts'

// biome-ignore lint/suspicious/noExplicitAny: docker inspect's JSON is wide and only partly read
export type Inspect = any

export async function inspect(id: string): Promise<Inspect> {
  const { stdout } = await run('docker', ['inspect', id])
  return JSON.parse(stdout)[0]
}

/** `healthy`, `unhealthy`, `starting`, or the state of a container without healthcheck. */
export async function health(id: string): Promise<string> {
  const state = (await inspect(id)).State
  return state.Health?.Status ?? state.Status
}

export async function logs(id: string): Promise<string> {
  const { stdout, stderr } = await run('docker', ['logs', id])
  return stdout + stderr
}

export async function running(stack: Stack, service: string): Promise<string[]> {
  const ids: string[] = []
  for (const id of await stack.containers(service)) {
    if ((await inspect(id)).State.Running) ids.push(id)
  }
  return ids
}

/** Waits until `count` containers of the service run and are healthy. */
export function waitHealthy(stack: Stack, service: string, count: number, timeoutMs = 90_000) {
  return waitFor(`${count} healthy ${service} container(s)`, timeoutMs, async () => {
    const ids = await running(stack, service)
    const states = await Promise.all(ids.map(health))
    return ids.length === count && states.every((state) => state === 'healthy') ? ids : undefined
  })
}

/** One value from psql inside the db container (local socket, no password). */
export async function sql(stack: Stack, query: string): Promise<string> {
  const [db] = await running(stack, 'db')
  if (!db) throw new Error('no running db container')
  const { stdout } = await run('docker', ['exec', db, 'psql', '-U', 'app', '-d', 'app', '-tAc', query])
  return stdout.trim()
}

/** Named volumes Compose created for this project. */
export async function volumes(stack: Stack): Promise<string[]> {
  const { stdout } = await run('docker', [
    'volume',
    'ls',
    '--quiet',
    '--filter',
    `label=com.docker.compose.project=${stack.project}`,
  ])
  return stdout.trim().split('\n').filter(Boolean).sort()
}
