import { createBatcher } from './batcher.ts'
import type { CacheContext } from './context.ts'
import { parsedReads } from './parsed.ts'
import type { ReadThrough } from './read-through.ts'
import type { CacheGroup, GroupOptions, JsonLoader } from './types.ts'

/**
 * A group's keys carry the revision of the data they were made from, a number
 * that a source of truth hands out (the board's revision in Postgres) and that
 * never repeats. Raising the group's revision in the store drops every key of
 * older revisions, on every replica at once; a slow loader can only write
 * under a revision nobody reads any more.
 *
 * Read-your-writes across replicas, through faults: a read uses the higher of
 * the store's revision and the highest this process has seen (`invalidate`
 * after its own writes, `observe` from a poll of the source). So
 * - a read that starts after an `invalidate(r)` returned, in any process,
 *   uses r or later: concurrent readers share one `GET` of the revision, sent
 *   after each of them arrived, even when the page is in the in-process tier;
 * - an invalidation that could not reach the store (Redis away), or that
 *   never happened (the writer died after its commit), is made up for by the
 *   next `observe` of each process: within one poll, every replica reads the
 *   current revision and lifts the store's;
 * - a store that lost its keys (restarted empty) cannot bring an old page
 *   back: the revision it lost is known in every process, and revisions only
 *   grow. When neither the process nor the store knows one, the group asks
 *   `currentRevision` (the source of truth), and bypasses itself until it can.
 *
 * `publish(key, revision, …)` is an invalidation that leaves one page behind:
 * the caller read `json` and `revision` in one snapshot of the source (one
 * statement), so the entry under revision r is exactly the page at r, as a
 * loader's would be (a loader's page is at r or later). It is stored before
 * the revision is raised, so readers that see r find it (a hit, not a miss).
 * Other keys of the group are dropped as by `invalidate`.
 */
export function createGroup(
  context: CacheContext,
  reads: ReadThrough,
  name: string,
  options: GroupOptions = {},
): CacheGroup {
  const { store, keys, report } = context
  const revisionKey = keys.groupRevision(name)
  let known: number | undefined
  // Asked of the source of truth when neither this process nor the store knows a revision.
  let asking: Promise<void> | undefined
  const askSource = () => {
    asking ??= (options.currentRevision?.() ?? Promise.reject(new Error('no source')))
      .then(
        (revision) => learn(revision),
        () => undefined,
      )
      .finally(() => {
        asking = undefined
      })
    return asking
  }

  const readStored = createBatcher(async (inputs: undefined[]) => {
    const stored = await store.get(revisionKey)
    return inputs.map(() => stored)
  })

  const learn = (revision: number) => {
    if (known === undefined || revision > known) known = revision
  }

  /** Lifts the store's revision to what this process knows; a failure is reported, not thrown. */
  const lift = (revision: number) =>
    store.raise(revisionKey, revision).then(
      () => undefined,
      (error: unknown) => report(error, 'invalidate'),
    )

  const getOrSetJson = async (key: string, ttlSeconds: number, load: JsonLoader) => {
    const bypassKey = keys.groupEntry(name, 0, key)
    if (ttlSeconds <= 0) return reads.bypass(load, name, bypassKey)
    let stored: number | undefined
    try {
      const raw = await readStored(undefined)
      stored = raw === null ? undefined : Number(raw)
    } catch (error) {
      report(error, 'get')
      return reads.bypass(load, name, bypassKey)
    }
    if (stored !== undefined && Number.isFinite(stored)) learn(stored)
    if (known === undefined && options.currentRevision) await askSource()
    if (known === undefined) return reads.bypass(load, name, bypassKey)
    if (stored === undefined || stored < known) void lift(known)
    return reads.read(keys.groupEntry(name, known, key), ttlSeconds, load, name)
  }

  return {
    ...parsedReads(getOrSetJson),
    async invalidate(revision) {
      learn(revision)
      await lift(known as number)
    },
    async publish(key, revision, ttlSeconds, json) {
      learn(revision)
      // Only the page of the newest revision is worth storing: an older one is never read.
      if (ttlSeconds > 0 && known === revision) {
        await reads
          .put(keys.groupEntry(name, revision, key), ttlSeconds, json, name)
          .catch((error: unknown) => report(error, 'set'))
      }
      await lift(known as number)
    },
    observe(revision) {
      const behind = known === undefined || revision > known
      learn(revision)
      if (behind) void lift(revision)
    },
  }
}
