import Type from 'typebox'

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
