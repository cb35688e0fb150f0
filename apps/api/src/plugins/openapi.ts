import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pkg from '../../package.json' with { type: 'json' }
import { documentSecurityHeaders } from './security-headers.ts'

/** OpenAPI 3.1 built from the route schemas, at /openapi.json and /docs. */
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
        // Deliberately public: no operation needs credentials (an empty list says so explicitly).
        security: [],
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
    // Swagger UI is a document: helmet's headers, in a scope of its own.
    await app.register(async (docs) => {
      await documentSecurityHeaders(docs)
      await docs.register(fastifySwaggerUi, {
        routePrefix: '/docs',
        // Swagger UI needs what the page's policy refuses: data: images, HTML sinks
        // (no Trusted Types) and the <style> element React renders for it.
        staticCSP: {
          'default-src': ["'self'"],
          'base-uri': ["'none'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          'object-src': ["'none'"],
          'img-src': ["'self'", 'data:'],
          'style-src': ["'self'", "'unsafe-inline'"],
        },
      })
    })
    app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger())
  },
  { name: 'openapi' },
)
