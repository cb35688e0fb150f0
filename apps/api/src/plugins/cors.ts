import type { Config } from '@app/config'
import fastifyCors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Cross-origin reads and writes only for the pages of CORS_ORIGINS (exact
 * origins; none by default). A page of any other origin gets no
 * Access-Control-Allow-Origin, so its browser neither shows it an answer nor
 * sends it a write: writes are JSON (plugins/json-body.ts), which a browser
 * sends cross-origin only after a preflight this refuses.
 */
export default fp(
  async function cors(app: FastifyInstance, { config }: { config: Config }) {
    await app.register(fastifyCors, {
      origin: config.cors.origins,
      methods: ['GET', 'HEAD', 'POST', 'DELETE'],
      allowedHeaders: ['content-type', 'authorization', 'idempotency-key', 'if-none-match', 'x-request-id'],
      exposedHeaders: [
        'x-request-id',
        'retry-after',
        'location',
        'etag',
        'idempotent-replayed',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ],
      // Browsers cap it lower (Chromium at 2 h); ten minutes bounds how long a removed origin lingers.
      maxAge: 600,
    })
  },
  { name: 'cors', fastify: '5.x' },
)
