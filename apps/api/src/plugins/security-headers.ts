import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'

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

const HELMET_OPTIONS: HelmetOptions = {
  // No upgrade-insecure-requests: TLS is the proxy's job, and the page must
  // also work over plain HTTP on a private address.
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  frameguard: { action: 'deny' },
}

/**
 * Helmet's headers, worked out once. They depend on nothing in the request,
 * and @fastify/helmet rebuilt the whole helmet middleware in two hooks on
 * every request: that halved the throughput of a bare route and tripled the
 * garbage (see bench/README.md).
 */
export function securityHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
  }
  helmet(options)({} as never, response as never, () => {})
  return headers
}

/**
 * What a JSON response needs (OWASP's REST cheat sheet): it may not be framed,
 * sniffed as something else, read cross-origin, or run anything if opened as a
 * document. Helmet's other headers concern pages; each one costs every
 * response its bytes and Node's checks of it (the cached list went from 44k to
 * 55k req/s with none at all, see bench/README.md).
 */
export function apiSecurityHeaders(page: Record<string, string>): Record<string, string> {
  const kept = [
    'cross-origin-resource-policy',
    'referrer-policy',
    'strict-transport-security',
    'x-content-type-options',
    'x-frame-options',
  ]
  return {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    ...Object.fromEntries(kept.flatMap((name) => (page[name] ? [[name, page[name]]] : []))),
  }
}

const API_PATHS = /^\/(api|health)\//

/** Helmet's headers, with the strict CSP above, on every response; the JSON subset under /api and /health. */
export default fp(
  async function securityHeadersPlugin(app: FastifyInstance) {
    const page = securityHeaders()
    const api = apiSecurityHeaders(page)
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(API_PATHS.test(request.url) ? api : page)
      done()
    })
  },
  { name: 'security-headers' },
)
