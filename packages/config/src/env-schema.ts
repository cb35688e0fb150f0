import Type, { type Static } from 'typebox'

const Port = Type.Integer({ minimum: 0, maximum: 65535 })
const PositiveInteger = Type.Integer({ minimum: 1 })

/** Every environment variable the service reads, with its default. */
export const EnvSchema = Type.Object({
  NODE_ENV: Type.Enum(['development', 'test', 'production'], { type: 'string', default: 'development' }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  PORT: Type.Integer({ ...Port, default: 3000 }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    type: 'string',
    default: 'info',
  }),
  TRUST_PROXY: Type.String({ default: 'false' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 10_485_760, default: 16_384 }),

  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DATABASE_MIGRATE_ON_START: Type.Optional(Type.Boolean()),
  DATABASE_INSERT_BATCH_MAX: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),

  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  REDIS_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_KEY_PREFIX: Type.String({ pattern: '^[A-Za-z0-9:_-]{1,64}$', default: 'app' }),

  // 0 turns the list cache off: every read goes to Postgres.
  MESSAGES_CACHE_TTL_SECONDS: Type.Integer({ minimum: 0, default: 60 }),
  CACHE_LOCAL_MAX_ENTRIES: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 1000 }),
  STATUS_CACHE_TTL_SECONDS: Type.Integer({ ...PositiveInteger, default: 10 }),
  // Writes (POST) each client may send per operation per window; 0 turns the limit off.
  RATE_LIMIT_MAX: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 120 }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
  HEALTH_CHECK_TIMEOUT_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000 }),
  SHUTDOWN_DRAIN_MS: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 120_000, default: 10_000 }),

  PGLITE_DATA_DIR: Type.String({ minLength: 1, default: '.data/pglite' }),
})

export type Env = Static<typeof EnvSchema>

/** Variables that may hold credentials: each is also read from `<NAME>_FILE`. */
export const SECRET_VARIABLES = ['DATABASE_URL', 'DATABASE_PASSWORD', 'REDIS_URL', 'REDIS_PASSWORD'] as const
