import Type from 'typebox'
import { optional, setting } from '../setting.ts'
import { serverUrl } from './server-url.ts'
import { Integer } from './types.ts'

export const redis = {
  url: serverUrl('REDIS', '^rediss?://', '`redis://host:6379`; unset in dev → in-process cache'),
  password: optional(
    'REDIS_PASSWORD',
    Type.String({ minLength: 1 }),
    'Written into `REDIS_URL` (use `REDIS_PASSWORD_FILE` with secrets)',
    { secret: true },
  ),
  keyPrefix: setting(
    'REDIS_KEY_PREFIX',
    Type.String({ pattern: '^[A-Za-z0-9:_-]{1,64}$', default: 'app' }),
    'Namespace of every key',
  ),
  commandTimeoutMs: setting(
    'REDIS_COMMAND_TIMEOUT_MS',
    Integer(10, 60_000, 500),
    'A Redis command unanswered within this fails: a miss for the cache, 503 for the counter',
  ),
  connectTimeoutMs: setting(
    'REDIS_CONNECT_TIMEOUT_MS',
    Integer(100, 60_000, 2000),
    'Longest wait to (re)connect',
  ),
}
