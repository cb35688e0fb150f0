import type { CacheContext } from './context.ts'
import type { Cache } from './types.ts'
import { unavailableOnError } from './unavailable.ts'

/**
 * Things done once per key: a counter incremented at most once per key (an
 * idempotent visit), and short claims that say "this key is being worked on".
 * Both throw CacheUnavailableError when the store is away.
 */
export function createOnce(context: CacheContext): Pick<Cache, 'incrementOnce' | 'claim' | 'release'> {
  const { store, keys } = context
  return {
    incrementOnce: (counter, once) =>
      unavailableOnError('incrementOnce', async () => {
        const { total, tag, first } = await store.incrementOnce(
          keys.counter(counter),
          keys.once(once.key),
          once.tag,
          once.ttlMs,
        )
        return { value: total, tag, first }
      }),
    claim: (name, ttlMs) =>
      unavailableOnError('claim', () => store.setIfAbsent(keys.claim(name), '1', ttlMs)),
    release: (name) => unavailableOnError('release', () => store.delete(keys.claim(name))),
  }
}
