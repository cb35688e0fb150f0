import Type from 'typebox'
import { Problem } from './problem.ts'
import { ref } from './ref.ts'

export const HealthCheck = Type.Object(
  {
    status: Type.Enum(['ok', 'fail'], { type: 'string' }),
    latencyMs: Type.Number({ minimum: 0 }),
    backend: Type.String({ description: 'What answered: postgres, redis or memory' }),
    error: Type.Optional(
      Type.String({
        description: '`no answer within N ms`, or `unavailable`: the cause is in the log, never here',
      }),
    ),
  },
  { $id: 'HealthCheck' },
)

const Checks = Type.Object({ postgres: ref(HealthCheck), redis: ref(HealthCheck) })

export const okChecks = {
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
