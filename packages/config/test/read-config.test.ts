import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, readConfig, readSettings, settings } from '../src/index.ts'

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db:5432/app',
  REDIS_URL: 'redis://redis:6379',
  CURSOR_SECRET: 'c'.repeat(32),
}

function secretFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'config-test-')), 'secret')
  writeFileSync(path, content)
  return path
}

function issuesOf(env: Record<string, string>) {
  try {
    readConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
  }
  throw new Error('expected a ConfigError')
}

t.test('an empty environment gives the development defaults', async (t) => {
  const config = readConfig({})
  t.equal(config.env, 'development')
  t.same(config.http, {
    host: '0.0.0.0',
    port: 3000,
    bodyLimit: 16_384,
    jsonMaxDepth: 32,
    trustProxy: false,
    headersTimeoutMs: 5000,
    requestTimeoutMs: 10_000,
    keepAliveTimeoutMs: 65_000,
  })
  t.equal(config.database.url, undefined, 'no DATABASE_URL: pnpm dev embeds PGlite')
  t.equal(config.redis.url, undefined, 'no REDIS_URL: in-process cache')
  t.equal(config.database.migrateOnStart, true)
  t.same(config.cache, {
    messagesTtlSeconds: 60,
    publishFirstPage: true,
    statusTtlSeconds: 10,
    localMaxEntries: 1000,
    localMaxBytes: 16 * 1024 * 1024,
    groupMaxBytes: 32 * 1024 * 1024,
    revisionPollMs: 500,
  })
  t.match(config.database, { connectTimeoutMs: 2000, statementTimeoutMs: 2000, lockTimeoutMs: 1000 })
  t.same(config.idempotency, { retentionMs: 86_400_000, inFlightMs: 10_000 }, 'keys remembered 24 h')
  t.equal(config.shutdown.drainMs, 0, 'no drain delay slowing reloads in development')
  t.match(
    config.loadShedding,
    { maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0, maxHeapUsedBytes: 0, maxRssBytes: 0 },
    'a busy laptop or CI box is not overload: no shedding outside production',
  )
  t.same(
    config.rateLimit,
    { max: 120, windowMs: 60_000, readMax: 600, failClosed: [] },
    '120 writes and 600 reads a minute per client and operation; open while Redis is away',
  )
  t.match(config.cursors.secret, /^[0-9a-f]{64}$/, 'a random cursor key outside production')
  t.same(config.admin.tokens, [], 'no moderation token: every deletion refused')
  t.same(config.cors.origins, [], 'CORS closed')
})

t.test('values are coerced from strings and typed', async (t) => {
  const config = readConfig({
    PORT: '8080',
    DATABASE_POOL_MAX: '25',
    TRUST_PROXY: '10.0.0.0/8',
    LOG_LEVEL: 'warn',
  })
  t.equal(config.http.port, 8080)
  t.equal(config.database.poolMax, 25)
  t.equal(config.http.trustProxy, '10.0.0.0/8')
  t.equal(config.logLevel, 'warn')
  t.equal(readConfig({ TRUST_PROXY: 'true' }).http.trustProxy, true)
  t.match(readConfig({ RATE_LIMIT_MAX: '0', RATE_LIMIT_WINDOW_SECONDS: '5' }).rateLimit, {
    max: 0,
    windowMs: 5000,
  })
  t.same(readConfig({ RATE_LIMIT_FAIL_CLOSED: 'createMessage, recordVisit' }).rateLimit.failClosed, [
    'createMessage',
    'recordVisit',
  ])
})

t.test('the result is deeply frozen', async (t) => {
  const config = readConfig({})
  t.ok(Object.isFrozen(config))
  t.ok(Object.isFrozen(config.database))
  t.throws(() => {
    ;(config.http as { port: number }).port = 1
  }, TypeError)
})

t.test('one error lists every invalid variable with its reason', async (t) => {
  const error = issuesOf({
    NODE_ENV: 'staging',
    PORT: '70000',
    LOG_LEVEL: 'loud',
    DATABASE_URL: 'mysql://db/app',
    REDIS_URL: 'http://redis',
    DATABASE_POOL_MAX: 'many',
    DATABASE_MIGRATE_ON_START: 'maybe',
    REDIS_KEY_PREFIX: 'has spaces',
    RATE_LIMIT_MAX: '-1',
    RATE_LIMIT_WINDOW_SECONDS: '0',
  })
  t.same(error.issues.map((issue) => issue.variable).sort(), [
    'DATABASE_MIGRATE_ON_START',
    'DATABASE_POOL_MAX',
    'DATABASE_URL',
    'LOG_LEVEL',
    'NODE_ENV',
    'PORT',
    'RATE_LIMIT_MAX',
    'RATE_LIMIT_WINDOW_SECONDS',
    'REDIS_KEY_PREFIX',
    'REDIS_URL',
  ])
  t.match(error.message, /PORT: must be <= 65535/)
  t.match(error.message, /NODE_ENV: .*development, test, production/)
  t.match(error.message, /DATABASE_POOL_MAX: must be integer/)
})

t.test('production requires DATABASE_URL and REDIS_URL', async (t) => {
  const error = issuesOf({ NODE_ENV: 'production' })
  t.same(
    error.issues.map((issue) => issue.variable),
    ['DATABASE_URL', 'REDIS_URL', 'CURSOR_SECRET'],
  )
  const mixed = issuesOf({ NODE_ENV: 'production', PORT: 'eighty' })
  t.same(
    mixed.issues.map((issue) => issue.variable).sort(),
    ['CURSOR_SECRET', 'DATABASE_URL', 'PORT', 'REDIS_URL'],
    'listed with the others',
  )
  const config = readConfig(production)
  t.equal(config.database.migrateOnStart, false, 'the migrate service applies migrations in production')
  t.equal(config.shutdown.drainMs, 3000)
  t.match(config.loadShedding, {
    maxEventLoopDelayMs: 250,
    maxEventLoopUtilization: 0,
    maxHeapUsedBytes: 112 * 1024 * 1024,
    maxRssBytes: 230 * 1024 * 1024,
  })
  const tuned = readConfig({ ...production, LOAD_SHEDDING_MAX_RSS_MB: '0' })
  t.equal(tuned.loadShedding.maxRssBytes, 0, 'and 0 still turns a check off in production')
})

t.test('secrets are read from <NAME>_FILE and written into the URLs', async (t) => {
  const config = readConfig({
    ...production,
    DATABASE_PASSWORD_FILE: secretFile('p@ss/word\n'),
    REDIS_PASSWORD_FILE: secretFile('redis-secret\n'),
  })
  t.equal(
    config.database.url,
    'postgres://app:p%40ss%2Fword@db:5432/app',
    'trailing newline dropped, encoded',
  )
  t.equal(config.redis.url, 'redis://:redis-secret@redis:6379')

  const fromFile = readConfig({
    ...production,
    DATABASE_URL: undefined,
    DATABASE_URL_FILE: secretFile('postgres://u:pw@h/db'),
    REDIS_URL: 'redis://r',
  })
  t.equal(fromFile.database.url, 'postgres://u:pw@h/db')
})

t.test('a secret set twice or an unreadable file is an error that never echoes the value', async (t) => {
  const error = issuesOf({
    ...production,
    DATABASE_PASSWORD: 'hunter2',
    DATABASE_PASSWORD_FILE: secretFile('hunter2'),
    REDIS_PASSWORD_FILE: '/nonexistent/secret',
  })
  t.same(error.issues, [
    {
      variable: 'DATABASE_PASSWORD',
      message: 'set either DATABASE_PASSWORD or DATABASE_PASSWORD_FILE, not both',
    },
    { variable: 'REDIS_PASSWORD_FILE', message: 'cannot read /nonexistent/secret (ENOENT)' },
  ])
  t.notMatch(error.message, /hunter2/)
})

t.test('empty variables count as unset', async (t) => {
  const config = readConfig({ PORT: '', DATABASE_URL: '  ', LOG_LEVEL: '' })
  t.equal(config.http.port, 3000)
  t.equal(config.database.url, undefined)
  t.equal(config.logLevel, 'info')
})

t.test('readSettings reads a part of the settings: a job sets only what it uses', async (t) => {
  const { database } = readSettings(
    { env: settings.env, database: settings.database },
    { NODE_ENV: 'production', DATABASE_URL: 'postgres://migrator@db:5432/app' },
  )
  t.equal(database.url, 'postgres://migrator@db:5432/app', 'no REDIS_URL or CURSOR_SECRET asked for')
  t.throws(
    () => readSettings({ env: settings.env, database: settings.database }, { NODE_ENV: 'production' }),
    /DATABASE_URL: required in production/,
  )
})
