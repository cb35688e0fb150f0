import type { Test } from 'tap'
import { hostFetch } from '../../../harness/http.ts'
import { sleep } from '../../../harness/run.ts'
import type { ProdStack } from './prod-stack.ts'

/** Through the proxy, the replicas count one write budget per client, not one each. */
export async function theWriteLimitIsOneBudgetForEveryReplica(t: Test, { stack, proxyUrl }: ProdStack) {
  // Empty bodies: each one counts against the limit, none writes anything.
  const post = () => hostFetch(`${proxyUrl}/api/messages`, { method: 'POST', body: {} })
  let first = await post()
  const reset = Number(first.headers['x-ratelimit-reset'])
  if (reset < 30) {
    // Too close to the end of the window for the loop below: start a fresh one.
    await sleep((reset + 1) * 1000)
    first = await post()
  }
  t.equal(first.status, 400)
  const limit = stack.env.RATE_LIMIT_MAX || '120'
  t.equal(first.headers['x-ratelimit-limit'], limit, `${limit} writes per client per window (default 120)`)
  let remaining = Number(first.headers['x-ratelimit-remaining'])
  t.comment(`${remaining} writes left in this window from this address`)
  // Round robin sends these to all three replicas: with a budget per replica
  // there would be three times as many left.
  for (; remaining > 0; remaining--) {
    const reply = await post()
    if (reply.status !== 400) t.fail(`a write within the budget got ${reply.status}`)
  }
  const refused = await post()
  t.equal(refused.status, 429, 'the write after the budget is refused, whichever replica gets it')
  t.equal(refused.json().code, 'RATE_LIMITED')
  t.ok(Number(refused.headers['retry-after']) >= 1, 'with retry-after')
  t.equal((await hostFetch(`${proxyUrl}/api/messages`)).status, 200, 'reads are not limited')
}
