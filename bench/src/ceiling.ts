import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

/**
 * The ceiling: the same framework in the same process setup as the API
 * (production, logger at warn), one JSON route with a compiled response
 * schema, and no I/O. Every scenario is reported as a fraction of it.
 *
 * With BENCH_PAGE_FILE (`{ headers, body }`, what the API sent for a cached
 * page), it is the fair ceiling of the cached list instead: the same bytes
 * and the same headers on the same path, precomputed, with nothing else done.
 */
const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } })

const pageFile = process.env.BENCH_PAGE_FILE
if (pageFile) {
  const { headers, body } = JSON.parse(readFileSync(pageFile, 'utf8')) as {
    headers: Record<string, string>
    body: string
  }
  app.get('/api/messages', (_request, reply) => {
    reply.headers(headers).send(body)
  })
  app.get('/', async () => 'ready')
} else {
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
}

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) })
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => app.close().then(() => process.exit(0)))
}
