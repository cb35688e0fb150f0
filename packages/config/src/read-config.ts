import Value from 'typebox/value'
import { ConfigError, type ConfigIssue } from './config-error.ts'
import { type Env, EnvSchema } from './env-schema.ts'
import { nonEmpty, resolveSecretFiles } from './secret-files.ts'

export interface Config {
  readonly env: Env['NODE_ENV']
  readonly http: {
    readonly host: string
    readonly port: number
    readonly bodyLimit: number
    readonly trustProxy: boolean | string
  }
  readonly logLevel: Env['LOG_LEVEL']
  /** `url` is absent only outside production: `pnpm dev` then embeds PGlite. */
  readonly database: {
    readonly url: string | undefined
    readonly poolMax: number
    readonly migrateOnStart: boolean
    /** Most messages written in one INSERT (group commit); 1 turns it off. */
    readonly insertBatchMax: number
    readonly embeddedDataDir: string
  }
  /** `url` is absent only outside production: an in-process cache is used. */
  readonly redis: { readonly url: string | undefined; readonly keyPrefix: string }
  readonly cache: {
    readonly messagesTtlSeconds: number
    readonly statusTtlSeconds: number
    /** Entries kept in process in front of Redis; 0 turns that tier off. */
    readonly localMaxEntries: number
  }
  /** Per client and write operation, shared by replicas through Redis; `max` 0 turns it off. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number }
  readonly health: { readonly timeoutMs: number }
  readonly shutdown: { readonly drainMs: number; readonly timeoutMs: number }
}

type RawEnv = Record<string, string | undefined>

/**
 * Reads and validates the environment. Returns a frozen, typed config or
 * throws one ConfigError that lists every invalid variable.
 */
export function readConfig(env: RawEnv = process.env): Config {
  const issues: ConfigIssue[] = []
  const resolved = resolveSecretFiles(env, issues)
  const raw: Record<string, string> = {}
  for (const name of Object.keys(EnvSchema.properties)) {
    const value = nonEmpty(resolved[name])
    if (value !== undefined) raw[name] = value
  }
  const parsed = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw))
  // One variable at a time: TypeBox stops collecting errors after a few (maxErrors, 8),
  // and every bad variable must be named.
  for (const [variable, schema] of Object.entries(EnvSchema.properties)) {
    const value = (parsed as Record<string, unknown>)[variable]
    if (value === undefined) continue // optional and unset; the rest have defaults
    const [error] = Value.Errors(schema, value)
    if (error === undefined) continue
    const allowed = error.keyword === 'enum' ? ` (${allowedValues(error.params)})` : ''
    issues.push({ variable, message: `${error.message}${allowed}` })
  }
  if (raw.NODE_ENV === 'production') {
    for (const name of ['DATABASE_URL', 'REDIS_URL']) {
      if (raw[name] === undefined) issues.push({ variable: name, message: 'required in production' })
    }
  }
  if (issues.length === 0) {
    const env = parsed as Env
    const database = withPassword('DATABASE_URL', env.DATABASE_URL, env.DATABASE_PASSWORD, issues)
    const redis = withPassword('REDIS_URL', env.REDIS_URL, env.REDIS_PASSWORD, issues)
    if (issues.length === 0) return deepFreeze(toConfig(env, database, redis))
  }
  throw new ConfigError(firstIssuePerVariable(issues))
}

function toConfig(env: Env, databaseUrl?: string, redisUrl?: string): Config {
  return {
    env: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      bodyLimit: env.BODY_LIMIT_BYTES,
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
    },
    logLevel: env.LOG_LEVEL,
    database: {
      url: databaseUrl,
      poolMax: env.DATABASE_POOL_MAX,
      migrateOnStart: env.DATABASE_MIGRATE_ON_START ?? env.NODE_ENV !== 'production',
      insertBatchMax: env.DATABASE_INSERT_BATCH_MAX,
      embeddedDataDir: env.PGLITE_DATA_DIR,
    },
    redis: { url: redisUrl, keyPrefix: env.REDIS_KEY_PREFIX },
    cache: {
      messagesTtlSeconds: env.MESSAGES_CACHE_TTL_SECONDS,
      statusTtlSeconds: env.STATUS_CACHE_TTL_SECONDS,
      localMaxEntries: env.CACHE_LOCAL_MAX_ENTRIES,
    },
    rateLimit: { max: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_SECONDS * 1000 },
    health: { timeoutMs: env.HEALTH_CHECK_TIMEOUT_MS },
    // Draining lets a proxy notice readiness turned 503; in development it only slows reloads.
    shutdown: {
      drainMs: env.SHUTDOWN_DRAIN_MS ?? (env.NODE_ENV === 'production' ? 3000 : 0),
      timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
  }
}

/** A separate password (typically a mounted secret) is written into the URL. */
function withPassword(
  name: string,
  url: string | undefined,
  password: string | undefined,
  issues: ConfigIssue[],
): string | undefined {
  if (url === undefined || password === undefined) return url
  try {
    const parsed = new URL(url)
    parsed.password = password
    return parsed.toString()
  } catch {
    issues.push({ variable: name, message: 'is not a valid URL' })
    return undefined
  }
}

/** Fastify's trustProxy: a boolean, or a comma-separated list of addresses/CIDRs. */
function parseTrustProxy(value: string): boolean | string {
  return value === 'true' || value === 'false' ? value === 'true' : value
}

function allowedValues(params: object): string {
  return 'allowedValues' in params && Array.isArray(params.allowedValues)
    ? `one of: ${params.allowedValues.join(', ')}`
    : ''
}

function firstIssuePerVariable(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>()
  return issues.filter((issue) => !seen.has(issue.variable) && seen.add(issue.variable))
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child)
  }
  return Object.freeze(value)
}
