import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { run } from '../../harness/run.ts'
import { freePort, REPO, type Stack } from '../../harness/stack.ts'

/** [start ms, end ms, kind, status (0: no answer), problem code or error, replica, newest id (probes)] */
export type RequestRecord = [number, number, string, number, string, string, number?]

export interface Ack {
  kind: 'post' | 'visit'
  key: string
  content?: string
  at: number
  attempts: number
  /** The answer was the stored one of an earlier attempt (Idempotent-Replayed). */
  replayed: boolean
  result: { id?: number; count?: number }
}

export interface LoadDriver {
  records(): Promise<RequestRecord[]>
  acks(): Promise<Ack[]>
  stop(): Promise<void>
}

/** infra/faults/driver/driver.mjs in a container on the stack's edge network, its control port on loopback. */
export async function startLoadDriver(
  t: { teardown(fn: () => unknown): void },
  stack: Stack,
): Promise<LoadDriver> {
  const port = await freePort()
  const name = `${stack.project}_driver`
  await run('docker', [
    'run',
    '--detach',
    '--name',
    name,
    '--network',
    `${stack.project}_edge`,
    '--publish',
    `127.0.0.1:${port}:9000`,
    '--volume',
    `${join(REPO, 'infra/faults/driver')}:/driver:ro`,
    '--user',
    '1000:1000',
    '--memory',
    '256m',
    stack.env.NODE_IMAGE ?? 'node:24-bookworm-slim',
    'node',
    '/driver/driver.mjs',
  ])
  t.teardown(() => run('docker', ['rm', '--force', name], { allowFailure: true }))
  return controlDriver(port)
}

/** The driver's control API on 127.0.0.1:port, once it answers (within 10 s). */
export async function controlDriver(port: number): Promise<LoadDriver> {
  const control = async <T>(path: string, timeoutMs = 30_000): Promise<T> => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(timeoutMs),
    })
    return (await response.json()) as T
  }
  for (let i = 0; i < 100; i++) {
    const answers = await control('/acks', 1000).then(
      () => true,
      () => false,
    )
    if (answers) break
    await sleep(100)
  }
  return {
    records: () => control<RequestRecord[]>('/records'),
    acks: () => control<Ack[]>('/acks'),
    stop: async () => {
      await control('/stop', 90_000)
    },
  }
}
