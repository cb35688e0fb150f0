import type { Test } from 'tap'
import { health, inspect, logs, running, waitHealthy } from '../../../harness/docker.ts'
import { startLoad } from '../../../harness/http.ts'
import { program } from '../../../harness/programs.ts'
import { run, sleep, waitFor } from '../../../harness/run.ts'
import type { ProdStack } from './prod-stack.ts'

/** A crashed, a stopped and a killed replica cost no request through the proxy, and come back. */
export async function aReplicaThatDiesLosesNoRequest(t: Test, prod: ProdStack) {
  const { stack, proxyUrl } = prod
  const load = startLoad([`${proxyUrl}/api/visits`, `${proxyUrl}/api/messages`])
  await sleep(1000)
  const [crashed, stopped, killed] = (await running(stack, 'api')) as [string, string, string]

  // A crash: the process dies without Docker being asked, so the restart policy applies.
  const restarts = (await inspect(crashed)).RestartCount
  await run('docker', ['exec', '-i', crashed, 'sh', '-s'], { input: program('kill-node.sh') })
  await waitFor('the crashed replica to be restarted and healthy', 60_000, async () => {
    const info = await inspect(crashed)
    return info.RestartCount > restarts && (await health(crashed)) === 'healthy' ? true : undefined
  })
  t.pass('the crashed replica was restarted by its restart policy and is healthy again')

  // `docker stop`: SIGTERM through the init, readiness 503, drain, close, exit 0.
  await run('docker', ['stop', stopped])
  t.equal((await inspect(stopped)).State.ExitCode, 0, 'a stopped replica drains and exits 0')
  t.match(await logs(stopped), /draining, then shutting down/)

  // `docker kill`: SIGKILL from the engine, which counts as an operator's stop
  // (no automatic restart); `up` brings the replica back.
  await run('docker', ['kill', killed])
  await sleep(2000)
  t.equal((await inspect(killed)).State.ExitCode, 137, 'a killed replica dies at once')
  await prod.up()
  await waitHealthy(stack, 'api', 3)
  t.pass('`up -d --scale api=3` brings the stopped and the killed replica back')

  await sleep(1000)
  const { ok, failures, resent } = await load.stop()
  t.comment(`${ok} requests through the proxy during crash, stop, kill and up; ${resent} GETs sent again`)
  t.ok(ok > 100, 'the load kept running')
  t.same(failures, [], 'no request failed, even sent again once')
  // Only a kept-alive connection the proxy closed as it reloaded (once per
  // replica leaving or joining, per worker) may need a second attempt.
  t.ok(resent <= 4 * 6, `at most a few GETs needed a new connection (${resent})`)
}
