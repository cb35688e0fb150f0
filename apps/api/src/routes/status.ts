import { hostname } from 'node:os'
import type { Config } from '@app/config'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { ConditionalHeaders, cachedJsonHeaders, notModified, sendCachedJson } from '../conditional.ts'
import { jsonResponse, serializeOk } from '../schemas/json-response.ts'
import { internalError } from '../schemas/problem.ts'

export const Status = Type.Object(
  {
    serverTime: Type.String({
      format: 'date-time',
      description: 'Clock of the replica that made this snapshot',
    }),
    cachedAt: Type.String({ format: 'date-time', description: 'When the snapshot was cached' }),
    expiresAt: Type.String({ format: 'date-time', description: 'When every replica makes a new one' }),
    ttlSeconds: Type.Integer({ minimum: 1 }),
    instance: Type.String({ description: 'Hostname of the replica that made the snapshot' }),
  },
  {
    $id: 'Status',
    examples: [
      {
        serverTime: '2026-11-23T12:00:00.000Z',
        cachedAt: '2026-11-23T12:00:00.000Z',
        expiresAt: '2026-11-23T12:00:10.000Z',
        ttlSeconds: 10,
        instance: 'api-1',
      },
    ],
  },
)

export const statusSchemas = [Status]

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

export default status
