import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { running } from '../../harness/docker.ts'
import { hostFetch } from '../../harness/http.ts'
import { run } from '../../harness/run.ts'
import { REPO } from '../../harness/stack.ts'
import { createFaultStack, type FaultStack } from '../matrix/fault-stack.ts'
import { type Fault, type FaultDetails, faults } from '../matrix/faults.ts'
import { startLoadDriver } from '../matrix/load-driver.ts'
import { type FaultWindow, measure, type StoredMessages } from '../matrix/measure.ts'
import { reliabilityReport } from '../matrix/report.ts'

// The fault matrix: one stack, one steady load, ten faults one after another
// (a sequence on purpose: each fault starts from the stack the previous one
// left, healed, as production would). The harness is in ../matrix; this file
// runs it, writes docs/reliability.md from what it measured, and then asserts
// each fault's row on its own.
const RECOVERY_BOUND_MS = 30_000
const STALENESS_BOUND_MS = 1000

const stack = await createFaultStack(t)
const driver = await startLoadDriver(t, stack.stack)
t.comment(`compose project ${stack.stack.project}, proxy at ${stack.proxyUrl}`)

/** Readiness, a post and a visit through the proxy all succeed, and three replicas run. */
async function waitRecovered(faultStack: FaultStack): Promise<number> {
  const deadline = Date.now() + 120_000
  for (let n = 0; Date.now() < deadline; n++) {
    const ok = async () => {
      if ((await running(faultStack.stack, 'api')).length !== 3) return false
      if ((await hostFetch(`${faultStack.proxyUrl}/health/ready`)).status !== 200) return false
      const post = await hostFetch(`${faultStack.proxyUrl}/api/messages`, {
        method: 'POST',
        body: { content: `recovery check ${n}` },
      })
      return (
        post.status === 201 &&
        (await hostFetch(`${faultStack.proxyUrl}/api/visits`, { method: 'POST', body: {} })).status === 200
      )
    }
    if (await ok().catch(() => false)) return Date.now()
    await sleep(200)
  }
  return Number.POSITIVE_INFINITY
}

async function storedMessages(faultStack: FaultStack): Promise<StoredMessages> {
  const db = await faultStack.container('db')
  const query = "select content, id from messages where content like 'fault-matrix %'"
  const { stdout } = await run('docker', [
    'exec',
    db,
    'psql',
    '-U',
    'app',
    '-d',
    'app',
    '-tA',
    '-F',
    '\t',
    '-c',
    query,
  ])
  const stored: StoredMessages = new Map()
  for (const line of stdout.trim().split('\n').filter(Boolean)) {
    const [content = '', id] = line.split('\t')
    stored.set(content, [...(stored.get(content) ?? []), Number(id)])
  }
  return stored
}

await sleep(3000)
const windows: { fault: Fault; window: FaultWindow; details?: FaultDetails }[] = []
for (const fault of faults) {
  const start = Date.now()
  await sleep(2000)
  const injected = Date.now()
  const details = (await fault.inject(stack)) ?? undefined
  const healed = Date.now()
  const recovered = await waitRecovered(stack)
  await sleep(2000)
  windows.push({ fault, window: { start, injected, healed, recovered, end: Date.now() }, details })
  t.comment(`${fault.name}: healed after ${healed - injected} ms, recovered ${recovered - healed} ms later`)
}
await driver.stop()
const [records, acks, stored] = await Promise.all([driver.records(), driver.acks(), storedMessages(stack)])
const rows = windows.map(({ fault, window, details }) => ({
  fault,
  row: measure(records, acks, stored, window, details),
}))
const { stdout: commit } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO })
const report = reliabilityReport({ date: new Date().toISOString().slice(0, 10), commit: commit.trim(), rows })
await writeFile(join(REPO, 'docs/reliability.md'), report)
t.comment(report)

for (const { fault, row } of rows) {
  t.test(fault.name, async (t) => {
    if (row.anomalies.length > 0) t.comment(`anomalies: ${JSON.stringify(row.anomalies)}`)
    if (row.burst) t.comment(`burst: ${JSON.stringify(row.burst)}`)
    t.comment(`connections closed under a request and retried by the client: ${row.retriedConnections}`)
    t.ok(row.acknowledged > 0, `writes were acknowledged during it (${row.acknowledged})`)
    t.equal(row.missing, 0, 'no acknowledged message is missing')
    t.equal(row.duplicates, 0, 'no retry stored a message twice')
    t.equal(row.undocumented5xx, 0, 'no 5xx but the documented 503s')
    t.equal(row.unanswered, 0, 'every request through the proxy got an answer')
    t.ok(row.recoveryMs <= RECOVERY_BOUND_MS, `recovered by itself in ${row.recoveryMs} ms`)
    t.ok(
      row.worstStalenessMs <= STALENESS_BOUND_MS,
      `no replica served a page missing an acknowledged message for more than ${row.worstStalenessMs} ms`,
    )
    if (row.burst) {
      t.equal(row.burst.timeouts, 0, 'no request of the burst waited 2 s: refused ones were refused fast')
      t.ok(row.p99Ms < 2000, `the steady clients kept a bounded p99 during it (${row.p99Ms} ms)`)
    }
    if (fault.name !== 'Redis restarted empty') {
      t.ok(row.counterKept, `the visit counter never went back ${row.counterDetail ?? ''}`)
    }
  })
}
