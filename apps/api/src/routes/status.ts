import { hostname } from 'node:os'
import type { Config } from '@app/config'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import { sendCachedJson, serializeOk } from '../cached-reply.ts'
import { ConditionalHeaders, cachedJsonHeaders, notModified } from '../schemas/conditional.ts'
import { internalError, tooManyReads } from '../schemas/problem.ts'
import { jsonResponse } from '../schemas/responses.ts'
import { Status } from '../schemas/status.ts'

const snapshotHeaders = cachedJsonHeaders('snapshot')

/** A snapshot shared by every replica for `STATUS_CACHE_TTL_SECONDS`. */
const status: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  const ttlSeconds = config.cache.statusTtlSeconds

  app.get(
    '/status',
    {
      schema: {
        tags: ['status'],
        operationId: 'getStatus',
        summary: 'Server time, cached for a short window across replicas',
        description:
          'Made by whichever replica asks first once the previous snapshot expired, then served ' +
          'by every replica until it expires. If Redis is away each replica makes its own. Send ' +
          'the ETag back as If-None-Match to get a 304 while the snapshot is current.',
        headers: ConditionalHeaders,
        response: {
          200: jsonResponse('The current snapshot', Status, snapshotHeaders),
          304: notModified('The snapshot is the one the ETag sent in If-None-Match names', snapshotHeaders),
          429: tooManyReads('/api/status'),
          500: internalError('/api/status'),
        },
      },
    },
    async (request, reply) => {
      const snapshot = await app.cache.getOrSetJson('status', ttlSeconds, async () => {
        const now = new Date()
        const value = {
          serverTime: now.toISOString(),
          cachedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
          ttlSeconds,
          instance: hostname(),
        }
        return serializeOk(reply, value)
      })
      return sendCachedJson(request, reply, snapshot)
    },
  )
}

// Encapsulated (its own scope, so a prefix applies), and it says what it needs.
export default fp(status, {
  name: 'routes/status',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['cache'],
})
