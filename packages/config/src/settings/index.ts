import Type from 'typebox'
import { setting } from '../setting.ts'
import { admin, cors, cursors } from './access.ts'
import { cache } from './cache.ts'
import { database } from './database.ts'
import { http } from './http.ts'
import { health, shutdown } from './lifecycle.ts'
import { idempotency, loadShedding, rateLimit } from './limits.ts'
import { build, metrics } from './observability.ts'
import { redis } from './redis.ts'

// Every environment variable the service reads, in the shape of the config it
// produces, one module per group. Adding one to a group is all it takes:
// readConfig validates it, the Config type has it, and `pnpm config:table`
// lists it in the README (a test fails until you run it).
export const settings = {
  env: setting(
    'NODE_ENV',
    Type.Enum(['development', 'test', 'production'], { type: 'string', default: 'development' }),
    '`development`, `test` or `production`',
  ),
  http,
  logLevel: setting(
    'LOG_LEVEL',
    Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      type: 'string',
      default: 'info',
    }),
    '`fatal` … `trace`, or `silent`',
  ),
  database,
  redis,
  cache,
  rateLimit,
  loadShedding,
  idempotency,
  health,
  shutdown,
  cursors,
  admin,
  cors,
  metrics,
  build,
}
