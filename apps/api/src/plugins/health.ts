import type { Config } from '@app/config'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import Type, { type Static } from 'typebox'
import { jsonResponse } from '../schemas/json-response.ts'
import { internalError, PROBLEM_CONTENT_TYPE, Problem, problemResponse } from '../schemas/problem.ts'
import { ref } from '../schemas/ref.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Turns readiness to 503 so the proxy stops sending traffic before close. */
    startDraining(): void
  }
}

export const Check = Type.Object(
  {
    status: Type.Enum(['ok', 'fail'], { type: 'string' }),
    latencyMs: Type.Number({ minimum: 0 }),
    backend: Type.String({ description: 'What answered: postgres, redis or memory' }),
    error: Type.Optional(Type.String({ description: 'Why the check failed' })),
  },
  { $id: 'HealthCheck' },
)

const Checks = Type.Object({ postgres: ref(Check), redis: ref(Check) })

const okChecks = {
  postgres: { status: 'ok', latencyMs: 0.61, backend: 'postgres' },
  redis: { status: 'ok', latencyMs: 0.24, backend: 'redis' },
} as const

export const Readiness = Type.Object(
  { status: Type.Literal('ok'), checks: Checks },
  { $id: 'Readiness', examples: [{ status: 'ok', checks: okChecks }] },
)

export const ReadinessProblem = Type.Object(
  { ...Problem.properties, checks: Type.Optional(Checks) },
  { $id: 'ReadinessProblem', description: 'Problem details naming each failed check' },
)

export const Liveness = Type.Object(
  { status: Type.Literal('ok'), uptimeSeconds: Type.Number({ minimum: 0 }) },
  { $id: 'Liveness', examples: [{ status: 'ok', uptimeSeconds: 3600 }] },
)

export const healthSchemas = [Check, Readiness, ReadinessProblem, Liveness]

type CheckResult = Static<typeof Check>

async function timed(backend: string, timeoutMs: number, probe: () => Promise<unknown>) {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  const latency = () => Math.round((performance.now() - started) * 100) / 100
  try {
    await Promise.race([probe(), timeout])
    return { status: 'ok', latencyMs: latency(), backend } satisfies CheckResult
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { status: 'fail', latencyMs: latency(), backend, error: message } satisfies CheckResult
  } finally {
    clearTimeout(timer)
  }
}

/** Liveness says the process runs; readiness checks Postgres and the cache. */
export default fp(
  async function health(app: FastifyInstance, { config }: { config: Config }) {
    let draining = false
    app.decorate('startDraining', () => {
      draining = true
    })
    const api = app.withTypeProvider<TypeBoxTypeProvider>()

    api.get(
      '/health/live',
      {
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

    api.get(
      '/health/ready',
      {
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
            503: problemResponse(
              'A dependency failed its check, or the instance is draining',
              {
                status: 503,
                detail: 'redis: no answer within 1000 ms',
                instance: '/health/ready',
                code: 'DEPENDENCY_UNAVAILABLE',
                checks: {
                  postgres: okChecks.postgres,
                  redis: {
                    status: 'fail',
                    latencyMs: 1000.4,
                    backend: 'redis',
                    error: 'no answer within 1000 ms',
                  },
                },
              },
              ReadinessProblem,
            ),
          },
        },
      },
      async (_request, reply) => {
        const { timeoutMs } = config.health
        const [postgres, redis] = await Promise.all([
          timed('postgres', timeoutMs, () => app.pg.pool.query('select 1')),
          timed(app.cache.kind, timeoutMs, () => app.cache.ping()),
        ])
        const checks = { postgres, redis }
        const failed = Object.entries(checks).filter(([, check]) => check.status === 'fail')
        if (failed.length === 0 && !draining) return { status: 'ok' as const, checks }
        const detail = draining
          ? 'instance is shutting down'
          : failed.map(([name, check]) => `${name}: ${check.error}`).join('; ')
        return reply
          .code(503)
          .type(PROBLEM_CONTENT_TYPE)
          .send({
            type: 'about:blank',
            title: 'Service Unavailable',
            status: 503,
            detail,
            instance: '/health/ready',
            code: draining ? 'DRAINING' : 'DEPENDENCY_UNAVAILABLE',
            checks,
          })
      },
    )
  },
  { name: 'health', dependencies: ['db', 'cache'] },
)
