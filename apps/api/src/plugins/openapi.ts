import fastifySwagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pkg from '../../package.json' with { type: 'json' }
import { ADMIN_SECURITY_SCHEME } from './admin-auth.ts'

/** `app.swagger()`: OpenAPI 3.1 built from the route schemas (served by routes/docs.ts). */
export default fp(
  async function openapi(app: FastifyInstance) {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Message board API',
          description: 'A page-view counter, a message board and health checks on PostgreSQL and Redis.',
          // Follows the package: see "API versioning" in the README for what may change.
          version: pkg.version,
        },
        // Relative: the document is served by the API itself, so its own origin is the server.
        servers: [{ url: '/', description: 'The origin serving this document' }],
        // Public by default (an empty list says so explicitly); moderation names its scheme.
        security: [],
        components: {
          securitySchemes: {
            [ADMIN_SECURITY_SCHEME]: {
              type: 'http',
              scheme: 'bearer',
              description: 'A moderator token from ADMIN_TOKEN (`Authorization: Bearer <token>`)',
            },
          },
        },
        tags: [
          { name: 'visits', description: 'The page-view counter' },
          { name: 'messages', description: 'The message board' },
          { name: 'status', description: 'A snapshot cached across replicas' },
          { name: 'health', description: 'Liveness and readiness probes' },
        ],
      },
      // Shared schemas become components named by their $id (not def-0, def-1…).
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    })
  },
  { name: 'openapi', fastify: '5.x' },
)
