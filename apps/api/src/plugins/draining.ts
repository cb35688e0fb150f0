import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** True once shutdown began: readiness says 503 so the proxy stops sending traffic here. */
    readonly draining: boolean
    startDraining(): void
  }
}

/** The shutdown state readiness reports, set by the server before it closes. */
export default fp(
  async function draining(app: FastifyInstance) {
    let draining = false
    app.decorate('draining', {
      getter: () => draining,
    })
    app.decorate('startDraining', () => {
      draining = true
    })
  },
  { name: 'draining', fastify: '5.x' },
)
