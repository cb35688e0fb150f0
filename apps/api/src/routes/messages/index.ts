import { createBatcher } from '@app/cache'
import type { Config } from '@app/config'
import {
  createMessageWriter,
  deleteExpiredIdempotencyKeys,
  listNewestWithRevision,
  readBoardRevision,
} from '@app/db'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import { cursorCodec } from '../../cursor.ts'
import { DEFAULT_PAGE_SIZE } from '../../schemas/messages.ts'
import { type Board, pageKey, toMessage } from './board.ts'
import { createMessageRoute } from './create.ts'
import { deleteMessageRoute } from './delete.ts'
import { listMessagesRoute } from './list.ts'
import { getMessageRoute } from './read.ts'

/**
 * The message board: rows in Postgres, list pages cached aside in Redis and
 * in process, versioned by the board's revision. Each write raises the cache's
 * revision after its commit; every replica also polls the revision, so a
 * write whose invalidation was lost (Redis away, or the writer died after its
 * commit) is seen everywhere within CACHE_REVISION_POLL_MS.
 */
const messages: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  const listCache = app.cache.group('messages', { currentRevision: () => readBoardRevision(app.db) })
  const cursors = cursorCodec(config.cursors.secret)
  const ttlSeconds = config.cache.messagesTtlSeconds
  // One read of the first page serves every write that committed before it was sent.
  const readFirstPage = createBatcher(async (inputs: undefined[]) => {
    const { items, next, revision } = await listNewestWithRevision(app.db, DEFAULT_PAGE_SIZE)
    // The bytes the list route's serializer writes for this page (same fields, same order; tested).
    const json = JSON.stringify({
      items: items.map(toMessage),
      nextCursor: next === null ? null : cursors.encode(next),
    })
    await listCache.publish(pageKey(DEFAULT_PAGE_SIZE, undefined), revision, ttlSeconds, json)
    return inputs
  })
  const publishFirstPage = async (revision: number | undefined) => {
    if (ttlSeconds > 0 && config.cache.publishFirstPage) {
      const published = await readFirstPage(undefined).then(
        () => true,
        (error: unknown) => {
          app.log.debug({ err: error }, 'first page not read after a write: the list is dropped instead')
          return false
        },
      )
      if (published) return
    }
    const current = revision ?? (await readBoardRevision(app.db).catch(() => undefined))
    if (current !== undefined) await listCache.invalidate(current)
  }
  const board: Board = {
    config,
    listCache,
    publishFirstPage,
    writeMessage: createMessageWriter(app.db, {
      maxBatch: config.database.insertBatchMax,
      concurrency: config.database.insertConcurrency,
      queueMax: config.database.insertQueueMax,
      onBatch: (size) => app.meters.writeBatchSize.observe(size),
      onQueueDepth: (depth) => app.meters.writeQueueDepth.set(depth),
    }),
    cursors,
  }

  const pollRevision = () =>
    readBoardRevision(app.db).then(
      (revision) => board.listCache.observe(revision),
      (error: unknown) => app.log.debug({ err: error }, 'board revision not read'),
    )
  // A few keys per pass, at most once a minute: expired keys need not go at once.
  const expireKeys = () =>
    deleteExpiredIdempotencyKeys(app.db, { retentionMs: config.idempotency.retentionMs }).catch(
      (error: unknown) => app.log.debug({ err: error }, 'expired idempotency keys not deleted'),
    )
  const timers = [setInterval(pollRevision, config.cache.revisionPollMs), setInterval(expireKeys, 60_000)]
  for (const timer of timers) timer.unref()
  app.addHook('onClose', async () => {
    for (const timer of timers) clearInterval(timer)
  })

  createMessageRoute(app, board)
  listMessagesRoute(app, board)
  getMessageRoute(app)
  deleteMessageRoute(app, board)
}

// Encapsulated (its own scope, so a prefix applies), and it says what it needs.
export default fp(messages, {
  name: 'routes/messages',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['db', 'cache', 'rate-limit', 'load-shedding', 'admin-auth'],
})
