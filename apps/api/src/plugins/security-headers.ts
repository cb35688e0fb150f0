import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet'
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
  // HSTS is the TLS terminator's to send, on TLS answers only (infra/nginx):
  // the api speaks plain HTTP to the proxy and cannot tell what clients used.
  strictTransportSecurity: false,
}

/** Helmet's headers for `options`, as a plain object (what helmet would set on a response). */
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
    'x-content-type-options',
    'x-frame-options',
  ]
  return {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    ...Object.fromEntries(kept.flatMap((name) => (page[name] ? [[name, page[name]]] : []))),
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on routes in a documentSecurityHeaders scope. */
    document?: boolean
  }
}

/**
 * Registers @fastify/helmet, with the strict CSP above, in the caller's own
 * (encapsulated) scope: only documents — the page, its assets, /docs — pay for
 * it. The plugin builds the helmet middleware again on every request, which
 * halved the throughput of a bare route (see bench/README.md).
 */
export async function documentSecurityHeaders(scope: FastifyInstance): Promise<void> {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, document: true }
  })
  // Same helmet package; its ESM and CommonJS typings only look unrelated to tsc.
  await scope.register(fastifyHelmet, HELMET_OPTIONS as FastifyHelmetOptions)
}

/**
 * Every response but a document's gets the JSON subset, worked out once at
 * start: /api, /health and every problem+json error, 404s included.
 */
export default fp(
  async function securityHeadersPlugin(app: FastifyInstance) {
    const json = apiSecurityHeaders(securityHeaders())
    app.addHook('onRequest', (request, reply, done) => {
      if (!request.routeOptions.config.document) reply.headers(json)
      done()
    })
  },
  { name: 'security-headers', fastify: '5.x' },
)
