import type { Config } from '@app/config'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import Type, { type Static } from 'typebox'
import { sendProblem } from '../plugins/errors.ts'
import { neverShed } from '../plugins/load-shedding.ts'
import { notLimited } from '../plugins/rate-limit.ts'
import { type HealthCheck, Liveness, okChecks, Readiness, ReadinessProblem } from '../schemas/health.ts'
import { internalError, problemResponse } from '../schemas/problem.ts'
import { jsonResponse } from '../schemas/responses.ts'

type CheckResult = Static<typeof HealthCheck>

class CheckTimeout extends Error {}

/**
 * One dependency's check. The body says only whether it answered in time:
 * the driver's error (addresses, names) is `reason`, for the log alone.
 */
async function timed(backend: string, timeoutMs: number, probe: () => Promise<unknown>) {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  const latency = () => Math.round((performance.now() - started) * 100) / 100
  try {
    await Promise.race([probe(), timeout])
    return { check: { status: 'ok', latencyMs: latency(), backend } satisfies CheckResult }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    const publicError = error instanceof CheckTimeout ? reason : 'unavailable'
    return {
      check: { status: 'fail', latencyMs: latency(), backend, error: publicError } satisfies CheckResult,
      reason,
    }
  } finally {
    clearTimeout(timer)
  }
}

const unready = {
  ...problemResponse(
    'A dependency failed its check, or the instance is draining',
    {
      status: 503,
      detail: 'redis: no answer within 1000 ms',
      instance: '/health/ready',
      code: 'DEPENDENCY_UNAVAILABLE',
      checks: {
        postgres: okChecks.postgres,
        redis: { status: 'fail', latencyMs: 1000.4, backend: 'redis', error: 'no answer within 1000 ms' },
      },
    },
    ReadinessProblem,
  ),
  headers: {
    'x-replica-state': Type.Literal('draining', {
      description: 'Sent only while the instance drains on shutdown, so a proxy can tell that from an outage',
      'x-conditional': true,
    }),
  },
}

// An orchestrator must always get its answer: never shed, never rate limited.
const probe = { ...neverShed, ...notLimited }

/** Liveness says the process runs; readiness checks Postgres and the cache. */
const health: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  app.get(
    '/health/live',
    {
      config: probe,
      schema: {
        tags: ['health'],
        operationId: 'getLiveness',
        summary: 'The process is up',
        description: 'Touches no dependency: a failing liveness probe means restart the process.',
        response: {
          200: jsonResponse('The process answers', Liveness),
          500: internalError('/health/live'),
        },
      },
    },
    async () => ({ status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) }),
  )

  app.get(
    '/health/ready',
    {
      config: probe,
      schema: {
        tags: ['health'],
        operationId: 'getReadiness',
        summary: 'Postgres and the cache answer within the timeout',
        description:
          'Checks each dependency within HEALTH_CHECK_TIMEOUT_MS. Turns 503 while the instance ' +
          'drains on shutdown, so a proxy stops routing to it before it closes.',
        response: {
          200: jsonResponse('Every dependency answered', Readiness),
          500: internalError('/health/ready'),
          503: unready,
        },
      },
    },
    async (request, reply) => {
      const { timeoutMs } = config.health
      const [postgres, redis] = await Promise.all([
        timed('postgres', timeoutMs, () => app.pg.pool.query('select 1')),
        timed(app.cache.kind, timeoutMs, () => app.cache.ping()),
      ])
      const results = { postgres, redis }
      const checks = { postgres: postgres.check, redis: redis.check }
      const failed = Object.entries(checks).filter(([, check]) => check.status === 'fail')
      const ready = failed.length === 0 && !app.draining
      app.meters.ready.set(ready ? 1 : 0)
      for (const [name, { reason }] of Object.entries(results))
        if (reason !== undefined) request.log.warn({ check: name, reason }, 'not ready')
      if (ready) return { status: 'ok' as const, checks }
      // The proxy takes a draining replica out of rotation (infra/nginx/upstream-sync.sh);
      // a dependency outage is every replica's, so it keeps those.
      if (app.draining) reply.header('x-replica-state', 'draining')
      return sendProblem(reply, request, {
        status: 503,
        code: app.draining ? 'DRAINING' : 'DEPENDENCY_UNAVAILABLE',
        detail: app.draining
          ? 'instance is shutting down'
          : failed.map(([name, check]) => `${name}: ${check.error}`).join('; '),
        extensions: { checks },
      })
    },
  )
}

// Encapsulated (its own scope, so a prefix applies), and it says what it needs.
export default fp(health, {
  name: 'routes/health',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['db', 'cache', 'draining'],
})
