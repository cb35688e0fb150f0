import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { readBoard, waitReady } from '../../../harness/board.ts'
import { running, sql, volumes } from '../../../harness/docker.ts'
import { hostFetch } from '../../../harness/http.ts'
import { run } from '../../../harness/run.ts'
import type { ProdStack } from './prod-stack.ts'

/** Something to keep: a visit and a message written by this step itself. */
async function writeSomething(proxyUrl: string, what: string) {
  await hostFetch(`${proxyUrl}/api/visits`, { method: 'POST', body: {} })
  await hostFetch(`${proxyUrl}/api/messages`, { method: 'POST', body: { content: what } })
}

/** The counter and every message are in named volumes: `down` and `up` keep them. */
export async function dataSurvivesDownAndUp(t: Test, prod: ProdStack) {
  const { stack, proxyUrl } = prod
  await writeSomething(proxyUrl, 'written before down')
  const before = await readBoard(proxyUrl)
  t.ok(before.visits >= 1 && before.messages.length >= 1, 'there is state to keep')

  await stack.compose(['down'])
  t.same(await stack.containers('api'), [], 'containers removed')
  // Compose v1 also makes the monitoring profile's volumes, unused here.
  const kept = await volumes(stack)
  t.ok(
    ['pgdata', 'redisdata'].every((name) => kept.some((volume) => volume.endsWith(`_${name}`))),
    `both data volumes kept (${kept.join(', ')})`,
  )

  await prod.up()
  await waitReady(proxyUrl)
  t.same(await readBoard(proxyUrl), before, 'same counter and same messages')
  t.equal(
    await sql(stack, 'select count(*) from drizzle.__drizzle_migrations'),
    String(prod.migrations),
    'migrate ran again and applied nothing',
  )
}

/** backup.sh, then `down --volumes` and a fresh stack, then restore.sh: the same rows and counter. */
export async function backupThenRestoreGivesTheSameBoard(t: Test, prod: ProdStack) {
  const { stack, proxyUrl } = prod
  await writeSomething(proxyUrl, 'written before the backup')
  const before = await readBoard(proxyUrl)
  const backupDir = await mkdtemp(join(tmpdir(), 'fcrtest-backup-'))
  t.teardown(() => rm(backupDir, { recursive: true, force: true }))

  await prod.script('backup.sh', [backupDir])
  for (const file of ['postgres.dump', 'redis-aof.tar']) {
    t.ok((await stat(join(backupDir, file))).size > 0, `${file} written`)
  }

  await stack.compose(['down', '--volumes'])
  t.same(await volumes(stack), [], 'volumes wiped')
  await prod.up()
  await waitReady(proxyUrl)
  t.same(await readBoard(proxyUrl), { visits: 0, messages: [] }, 'the new volumes are empty')

  await prod.script('restore.sh', [backupDir])
  await waitReady(proxyUrl)
  t.same(await readBoard(proxyUrl), before, 'counter and every message restored')
}

/**
 * Writes Redis makes in a script (an idempotent visit: the increment and its
 * key) survive a crash of Redis: its append-only file is replayed in full.
 */
export async function scriptedWritesSurviveARedisCrash(t: Test, prod: ProdStack) {
  const { stack, proxyUrl } = prod
  const visit = (key: string) =>
    hostFetch(`${proxyUrl}/api/visits`, {
      method: 'POST',
      body: {},
      headers: { 'idempotency-key': `"${key}"` },
    })
  let last = 0
  for (let i = 0; i < 5; i++) last = (await visit(`${stack.project}-crash-${i}`)).json().count
  const [redis] = await running(stack, 'redis')
  await run('docker', ['kill', redis as string])
  await run('docker', ['start', redis as string])
  await waitReady(proxyUrl)
  t.equal((await hostFetch(`${proxyUrl}/api/visits`)).json().count, last, 'the counter came back whole')
  const replay = await visit(`${stack.project}-crash-4`)
  t.equal(replay.json().count, last, "and so did the visits' idempotency keys")
  t.equal(replay.headers['idempotent-replayed'], 'true')
}
