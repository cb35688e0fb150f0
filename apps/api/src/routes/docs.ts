import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { documentSecurityHeaders } from '../plugins/security-headers.ts'

/** The OpenAPI document at /openapi.json and Swagger UI at /docs. */
async function docs(app: FastifyInstance) {
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger())

  // Swagger UI is a document: helmet's headers, in a scope of its own.
  await app.register(async (ui) => {
    await documentSecurityHeaders(ui)
    await ui.register(fastifySwaggerUi, {
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
}

export default fp(docs, { name: 'routes/docs', fastify: '5.x', encapsulate: true, dependencies: ['openapi'] })
