import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Polls `check` until it returns true or `timeoutMs` passes; resolves with
 * its last answer. For things that recover on their own (clients reconnecting
 * with backoff), where a fixed sleep would be either flaky or slow.
 */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  { timeoutMs = 10_000, intervalMs = 100 } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  let ok = await check()
  while (!ok && Date.now() < deadline) {
    await sleep(intervalMs)
    ok = await check()
  }
  return ok
}
