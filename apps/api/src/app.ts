import type { Config } from '@app/config'
import Fastify, { type FastifyInstance } from 'fastify'
import cachePlugin from './plugins/cache.ts'
import dbPlugin from './plugins/db.ts'
import healthPlugin, { healthSchemas } from './plugins/health.ts'
import openapiPlugin from './plugins/openapi.ts'
import problemsPlugin, { frameworkErrors } from './plugins/problems.ts'
import rateLimitPlugin from './plugins/rate-limit.ts'
import securityHeadersPlugin from './plugins/security-headers.ts'
import webPlugin from './plugins/web.ts'
import messagesRoutes, { messageSchemas } from './routes/messages.ts'
import statusRoutes, { statusSchemas } from './routes/status.ts'
import visitsRoutes, { visitSchemas } from './routes/visits.ts'
import { Problem } from './schemas/problem.ts'
import { buildValidator } from './validation.ts'

/** Builds the whole app without listening: the server and the tests both use it. */
export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      ...(config.env === 'development' && {
        transport: { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname' } },
      }),
    },
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    requestIdHeader: 'x-request-id',
    schemaController: { compilersFactory: { buildValidator } },
    frameworkErrors,
  })

  // Only JSON bodies are accepted: anything else is 415, not a string to validate.
  app.removeContentTypeParser('text/plain')

  for (const schema of [Problem, ...healthSchemas, ...visitSchemas, ...messageSchemas, ...statusSchemas]) {
    app.addSchema(schema)
  }

  await app.register(problemsPlugin)
  await app.register(securityHeadersPlugin)
  await app.register(openapiPlugin)
  await app.register(dbPlugin, { config })
  await app.register(cachePlugin, { config })
  await app.register(healthPlugin, { config })
  await app.register(rateLimitPlugin, { config })

  await app.register(visitsRoutes, { prefix: '/api' })
  await app.register(messagesRoutes, { prefix: '/api', config })
  await app.register(statusRoutes, { prefix: '/api', config })
  await app.register(webPlugin)

  return app
}
