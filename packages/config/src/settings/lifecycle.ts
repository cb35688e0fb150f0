import Type from 'typebox'
import { derived, optional, setting } from '../setting.ts'
import { Integer, isProduction } from './types.ts'

export const health = {
  timeoutMs: setting(
    'HEALTH_CHECK_TIMEOUT_MS',
    Integer(10, 60_000, 1000),
    'Per-dependency readiness timeout',
  ),
}

export const shutdown = {
  // Draining lets a proxy notice readiness turned 503; in development it only slows reloads.
  drainMs: derived(
    optional(
      'SHUTDOWN_DRAIN_MS',
      Type.Integer({ minimum: 0, maximum: 60_000 }),
      'Time between readiness turning 503 and closing',
    ),
    (value, env) => value ?? (isProduction(env) ? 3000 : 0),
    '`3000` in production, else `0`',
  ),
  timeoutMs: setting(
    'SHUTDOWN_TIMEOUT_MS',
    Integer(1000, 120_000, 10_000),
    'Hard limit for a graceful shutdown',
  ),
}
