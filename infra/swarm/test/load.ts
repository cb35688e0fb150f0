import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { controlDriver, type LoadDriver } from '../../faults/matrix/load-driver.ts'
import type { StoredMessages } from '../../faults/matrix/measure.ts'
import { freePort, REPO } from '../../harness/stack.ts'
import type { Cluster } from './cluster.ts'
import { sql } from './deploy.ts'

/**
 * The fault matrix's load driver (infra/faults/driver/driver.mjs: readers,
 * writers whose posts carry an Idempotency-Key and are sent again until
 * acknowledged, a visitor), run on this machine against one node's published
 * proxy port, as a client outside the Swarm. Its per-replica probes find no
 * replica from here and stay idle.
 */
export async function startLoad(
  t: { teardown(fn: () => unknown): void },
  proxyUrl: string,
): Promise<LoadDriver> {
  const port = await freePort()
  const child = spawn(process.execPath, [join(REPO, 'infra/faults/driver/driver.mjs')], {
    env: { ...process.env, PROXY: proxyUrl, API: 'replicas.invalid:3000', CONTROL: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  t.teardown(() => child.kill())
  return controlDriver(port)
}

/** Every message the driver posted that Postgres holds, ids by content. */
export async function storedMessages(cluster: Cluster): Promise<StoredMessages> {
  const rows = await sql(cluster, "select content, id from messages where content like 'fault-matrix %'", [
    '-F',
    '\t',
  ])
  const stored: StoredMessages = new Map()
  for (const line of rows.split('\n').filter(Boolean)) {
    const [content = '', id] = line.split('\t')
    stored.set(content, [...(stored.get(content) ?? []), Number(id)])
  }
  return stored
}
