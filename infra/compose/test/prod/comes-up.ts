import type { Test } from 'tap'
import { waitReady } from '../../../harness/board.ts'
import { inspect, waitHealthy } from '../../../harness/docker.ts'
import { seconds } from '../../../harness/run.ts'
import type { ProdStack } from './prod-stack.ts'

/** prod.yml builds and is ready through the proxy within 90 s of `up`, every service healthy, migrate done. */
export async function comesUpHealthyWithin90Seconds(t: Test, prod: ProdStack) {
  const build = await seconds(() => prod.stack.compose(['build'], { timeoutMs: 900_000 }))
  t.comment(`docker compose build: ${build.seconds} s (engine build cache as found)`)

  const up = await seconds(async () => {
    await prod.up()
    return waitReady(prod.proxyUrl, 90_000)
  })
  t.comment(`up to ready through the proxy: ${up.seconds} s`)
  t.ok(up.seconds <= 90, 'ready within 90 s of `up`')
  t.equal(up.value.json().status, 'ok')

  for (const [service, count] of [
    ['db', 1],
    ['redis', 1],
    ['api', 3],
    ['proxy', 1],
  ] as const) {
    const ids = await waitHealthy(prod.stack, service, count, 60_000)
    t.equal(ids.length, count, `${service}: ${count} healthy`)
  }
  const [migrate] = await prod.stack.containers('migrate')
  t.equal((await inspect(migrate as string)).State.ExitCode, 0, 'migrate exited 0')
  prod.isUp = true
}
