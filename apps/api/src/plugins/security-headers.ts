import fastifyHelmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * The page's policy: only this origin's own files, no inline script or style,
 * and no HTML string sinks (Trusted Types), so injected markup cannot run.
 * Swagger UI at /docs sends its own, looser policy (see openapi.ts).
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  requireTrustedTypesFor: ["'script'"],
}

/** Helmet's security headers on every response, with the strict CSP above. */
export default fp(
  async function securityHeaders(app: FastifyInstance) {
    await app.register(fastifyHelmet, {
      // No upgrade-insecure-requests: TLS is the proxy's job, and the page must
      // also work over plain HTTP on a private address.
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      frameguard: { action: 'deny' },
    })
  },
  { name: 'security-headers' },
)
