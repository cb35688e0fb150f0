import { createKeyedBatcher } from './batcher.ts'
import type { CacheContext } from './context.ts'
import type { Cache } from './types.ts'
import { unavailableOnError } from './unavailable.ts'

/**
 * Counters and fixed windows. n concurrent callers of one key share one
 * round trip (`INCRBY n`); they get total-n+1 … total, in arrival order.
 */
export function createCounters(
  context: CacheContext,
): Pick<Cache, 'increment' | 'readCounter' | 'countInWindow'> {
  const { store, keys } = context
  const incrementCounter = createKeyedBatcher(async (key, inputs: undefined[]) =>
    numbered(await store.increment(key, inputs.length), inputs.length),
  )
  // A batch counts in the window of its first caller.
  const countWindow = createKeyedBatcher(async (key, windowsMs: number[]) => {
    const { total, ttlMs } = await store.incrementInWindow(key, windowsMs.length, windowsMs[0] as number)
    return numbered(total, windowsMs.length).map((count) => ({ count, resetMs: ttlMs }))
  })

  return {
    increment: (name) =>
      unavailableOnError('increment', () => incrementCounter(keys.counter(name), undefined)),
    readCounter: (name) =>
      unavailableOnError('readCounter', async () => Number((await store.get(keys.counter(name))) ?? 0)),
    countInWindow: (name, windowMs) =>
      unavailableOnError('countInWindow', () => countWindow(keys.window(name), windowMs)),
  }
}

/** The n values a batch of n increments that ended at `total` hands out, in order. */
function numbered(total: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => total - n + 1 + i)
}
