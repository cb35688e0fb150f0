import Fastify from 'fastify'

/**
 * The ceiling: the same framework in the same process setup as the API
 * (production, logger at warn), one JSON route with a compiled response
 * schema, and no I/O. Every scenario is reported as a fraction of it.
 */
const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } })

app.get(
  '/',
  {
    schema: {
      response: {
        200: { type: 'object', properties: { hello: { type: 'string' } }, required: ['hello'] },
      },
    },
  },
  async () => ({ hello: 'world' }),
)

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) })
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => app.close().then(() => process.exit(0)))
}
