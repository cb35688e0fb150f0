import type { Writable } from 'node:stream'
import type { Config } from '@app/config'
import Fastify, { type FastifyInstance, LogController } from 'fastify'
import adminAuthPlugin from './plugins/admin-auth.ts'
import cachePlugin from './plugins/cache.ts'
import corsPlugin from './plugins/cors.ts'
import dbPlugin from './plugins/db.ts'
import drainingPlugin from './plugins/draining.ts'
import errorsPlugin, { frameworkErrors } from './plugins/errors.ts'
import jsonBodyPlugin from './plugins/json-body.ts'
import loadSheddingPlugin from './plugins/load-shedding.ts'
import metricsPlugin from './plugins/metrics.ts'
import openapiPlugin from './plugins/openapi.ts'
import rateLimitPlugin from './plugins/rate-limit.ts'
import requestLogPlugin from './plugins/request-log.ts'
import securityHeadersPlugin from './plugins/security-headers.ts'
import { requestId } from './request-id.ts'
import docsRoutes from './routes/docs.ts'
import healthRoutes from './routes/health.ts'
import messagesRoutes from './routes/messages/index.ts'
import pageRoutes from './routes/page.ts'
import statusRoutes from './routes/status.ts'
import visitsRoutes from './routes/visits.ts'
import { sharedSchemas } from './schemas/index.ts'
import { buildValidator } from './validation.ts'

export interface BuildOptions {
  /** Where the JSON log goes instead of stdout (tests read it). */
  logStream?: Writable
}

/** Builds the whole app without listening: the server and the tests both use it. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Nothing logs headers or credentials on purpose; these catch a mistake.
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.password',
        '*.token',
      ],
      ...(options.logStream && { stream: options.logStream }),
      ...(config.env === 'development' && {
        transport: { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname' } },
      }),
    },
    bodyLimit: config.http.bodyLimit,
    // Bounded time for slow or idle clients; keep-alive above the proxy's upstream keepalive,
    // so the proxy, not the api, closes an idle connection and never reuses a closing one.
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    // While closing, requests that still arrive on open connections are served, not refused:
    // the proxy stopped sending new ones when readiness turned 503 (infra/nginx).
    return503OnClosing: false,
    trustProxy: config.http.trustProxy,
    requestIdHeader: false,
    genReqId: requestId,
    // One line per request, with its route pattern (plugins/request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    schemaController: { compilersFactory: { buildValidator } },
    frameworkErrors,
  })

  app.server.headersTimeout = Math.min(config.http.headersTimeoutMs, config.http.requestTimeoutMs)

  // Only JSON bodies are accepted: anything else is 415, not a string to validate.
  app.removeContentTypeParser('text/plain')
  for (const schema of sharedSchemas) app.addSchema(schema)

  // What decorates or configures the instance, then the routes (which need all of it).
  await app.register(metricsPlugin, { config })
  await app.register(requestLogPlugin)
  await app.register(errorsPlugin)
  await app.register(jsonBodyPlugin, { config })
  await app.register(loadSheddingPlugin, { config })
  await app.register(securityHeadersPlugin)
  await app.register(corsPlugin, { config })
  await app.register(openapiPlugin)
  await app.register(drainingPlugin)
  await app.register(dbPlugin, { config })
  await app.register(cachePlugin, { config })
  await app.register(rateLimitPlugin, { config })
  await app.register(adminAuthPlugin, { config })

  await app.register(healthRoutes, { config })
  await app.register(visitsRoutes, { prefix: '/api', config })
  await app.register(messagesRoutes, { prefix: '/api', config })
  await app.register(statusRoutes, { prefix: '/api', config })
  await app.register(pageRoutes)
  await app.register(docsRoutes)

  return app
}
