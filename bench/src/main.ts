import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DataStores } from '@app/testing'
import { createCleanup } from './cleanup.ts'
import { describeServers, migrateAndSeed, useBenchStores } from './data-stores.ts'
import { runGrowth } from './growth.ts'
import { buildImage, imageSize } from './image.ts'
import { autocannon } from './load/autocannon.ts'
import type { LoadResult, LoadTool } from './load/load-tool.ts'
import { hasPgbench, pgbench } from './load/pgbench.ts'
import { hasWrk, wrk } from './load/wrk.ts'
import { hitRatio, type ListReads, scrapeListReads } from './metrics-scrape.ts'
import { type Options, readOptions } from './options.ts'
import { freePort, type Server, type ServerSpec, startServer } from './processes.ts'
import { summarizeProfile } from './profile-summary.ts'
import { type FsyncPolicy, hasRedisServer, startRedisWithAof } from './redis-aof.ts'
import { type BenchReport, evaluateTargets, toMarkdown } from './report.ts'
import { type HttpScenario, preflight, type Scenario, type ServerName, scenarios } from './scenarios.ts'
import { median, type RoundResult, summarize } from './summary.ts'
import { startTraceSink } from './trace-sink.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const API_DIR = join(ROOT, 'apps/api')
const RESULTS_DIR = join(ROOT, 'bench/results')
const PROFILES_DIR = join(RESULTS_DIR, 'profiles')
const SEEDED_MESSAGES = 200

const progress = (message: string) => console.error(`bench: ${message}`)

async function chooseTool(options: Options): Promise<LoadTool> {
  if (options.tool === 'autocannon') return autocannon
  if (await hasWrk()) return wrk
  if (options.tool === 'wrk') throw new Error('wrk is not installed (Debian/Ubuntu: apt-get install wrk)')
  progress(
    'wrk not found, using autocannon. It runs inside this Node process and takes CPU from the server, ' +
      'so numbers are lower than bench/README.md. For comparable numbers: apt-get install wrk (Debian/Ubuntu) ' +
      'or brew install wrk (macOS).',
  )
  return autocannon
}

/** What the API sends for a cached first page (headers and bytes), for the page ceiling. */
async function capturePage(api: Server, file: string): Promise<void> {
  let response: Response | undefined
  for (let attempt = 0; attempt < 2; attempt++) {
    response = await fetch(`${api.url}/api/messages`)
    if (attempt === 0) await response.arrayBuffer()
  }
  const sent = response as Response
  const body = await sent.text()
  if (sent.headers.get('x-cache') !== 'hit') throw new Error('the page to capture was not a cache hit')
  // What Node's HTTP server adds to every response itself.
  const own = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'])
  const headers = Object.fromEntries([...sent.headers].filter(([name]) => !own.has(name)))
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(file, JSON.stringify({ headers, body }))
}

/** NODE_OPTIONS as the production image sets it, so the bench runs the API the same way. */
function imageNodeOptions(): string {
  const dockerfile = readFileSync(join(API_DIR, 'Dockerfile'), 'utf8')
  const value = /^ENV .*\bNODE_OPTIONS=("[^"]*"|\S+)/m.exec(dockerfile)?.[1] ?? ''
  return value.replace(/^"(.*)"$/, '$1')
}

function serverSpecs(
  stores: DataStores,
  options: Options,
  aofRedis: Partial<Record<FsyncPolicy, string>>,
  traceSink: string,
  metricsPorts: { api: number; publishOff: number },
  pageFile: string,
): Record<ServerName, ServerSpec> {
  const production = { NODE_ENV: 'production', LOG_LEVEL: 'warn' }
  const api = {
    ...production,
    DATABASE_URL: stores.databaseUrl,
    REDIS_URL: stores.redisUrl,
    REDIS_KEY_PREFIX: stores.keyPrefix,
    SHUTDOWN_DRAIN_MS: '0',
    // One load generator on one address is what the rate limits stop: the
    // endpoints are measured without them, and `api-limited` measures their cost.
    RATE_LIMIT_MAX: '0',
    RATE_LIMIT_READ_MAX: '0',
    // Saturating load is what shedding refuses: measured off, like the limits.
    LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0',
    LOAD_SHEDDING_MAX_HEAP_USED_MB: '0',
    LOAD_SHEDDING_MAX_RSS_MB: '0',
    // Several APIs run at once: none binds the metrics port.
    METRICS_PORT: '0',
    CURSOR_SECRET: 'the bench signs its cursors with this',
    NODE_OPTIONS: imageNodeOptions(),
    ...options.apiEnv,
  }
  const onRedis = (redisUrl: string | undefined, name: string): ServerSpec => ({
    name,
    args: ['dist/server.js'],
    env: { ...api, REDIS_URL: redisUrl ?? stores.redisUrl },
    readyPath: '/health/ready',
    cwd: API_DIR,
  })
  const profiled = (name: string, entry: string) =>
    options.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES_DIR}`, `--cpu-prof-name=${name}.cpuprofile`, entry]
      : [entry]
  return {
    ceiling: {
      name: 'ceiling',
      args: profiled('ceiling', 'bench/src/ceiling.ts'),
      env: production,
      readyPath: '/',
      cwd: ROOT,
    },
    // The fair ceiling of the cached list: its bytes and headers, captured from the API at start.
    'ceiling-page': {
      name: 'ceiling-page',
      args: ['bench/src/ceiling.ts'],
      env: { ...production, BENCH_PAGE_FILE: pageFile },
      readyPath: '/',
      cwd: ROOT,
    },
    // Its metrics are scraped around each mixed run, for the hit ratio of list reads.
    api: {
      name: 'api',
      args: profiled('api', 'dist/server.js'),
      env: { ...api, METRICS_PORT: String(metricsPorts.api), METRICS_HOST: '127.0.0.1' },
      readyPath: '/health/ready',
      cwd: API_DIR,
    },
    // The previous design, for the A/B: every write drops every page, the writer leaves none.
    'api-publish-off': {
      name: 'api-publish-off',
      args: ['dist/server.js'],
      env: {
        ...api,
        CACHE_PUBLISH_FIRST_PAGE: 'false',
        METRICS_PORT: String(metricsPorts.publishOff),
        METRICS_HOST: '127.0.0.1',
      },
      readyPath: '/health/ready',
      cwd: API_DIR,
    },
    // Load shedding at the production defaults (event-loop delay, heap and RSS bounds).
    'api-shedding': {
      name: 'api-shedding',
      args: ['dist/server.js'],
      env: Object.fromEntries(Object.entries(api).filter(([name]) => !name.startsWith('LOAD_SHEDDING_'))),
      readyPath: '/health/ready',
      cwd: API_DIR,
    },
    'api-limited': {
      name: 'api-limited',
      args: ['dist/server.js'],
      // The limiters on the path, at limits the load never reaches.
      env: { ...api, RATE_LIMIT_MAX: '1000000', RATE_LIMIT_READ_MAX: '10000000' },
      readyPath: '/health/ready',
      cwd: API_DIR,
    },
    // The counter on a Redis with the production's append-only file, at each fsync policy.
    'api-aof-everysec': onRedis(aofRedis.everysec, 'api-aof-everysec'),
    'api-aof-always': onRedis(aofRedis.always, 'api-aof-always'),
    // What metrics cost: the same app collecting nothing.
    'api-metrics-off': {
      name: 'api-metrics-off',
      args: ['dist/server.js'],
      env: { ...api, METRICS_ENABLED: 'false' },
      readyPath: '/health/ready',
      cwd: API_DIR,
    },
    // What tracing costs: every request sampled and exported (OTLP over HTTP) to a sink.
    'api-traced': {
      name: 'api-traced',
      args: ['--import', './dist/telemetry.js', 'dist/server.js'],
      env: { ...api, OTEL_EXPORTER_OTLP_ENDPOINT: traceSink, OTEL_SERVICE_NAME: 'board-api-bench' },
      readyPath: '/health/ready',
      cwd: API_DIR,
    },
    'api-uncached': {
      name: 'api-uncached',
      args: profiled('api-uncached', 'dist/server.js'),
      env: { ...api, MESSAGES_CACHE_TTL_SECONDS: '0' },
      readyPath: '/health/ready',
      cwd: API_DIR,
    },
  }
}

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2))
  if (!existsSync(join(API_DIR, 'dist/server.js'))) {
    throw new Error('apps/api/dist/server.js is missing: `pnpm bench` builds it (or run `pnpm build`)')
  }
  const tool = await chooseTool(options)
  const comparable = tool === wrk
  const withPgbench = await hasPgbench()
  if (!withPgbench) progress('pgbench not on PATH: no INSERT baseline (apt-get install postgresql-contrib)')
  const withRedisServer = await hasRedisServer()
  if (!withRedisServer)
    progress('redis-server not on PATH: no fsync comparison (apt-get install redis-server)')
  // A mix's ideal needs its single-operation scenarios in the same rounds: asking for a mix runs them too.
  const wanted = new Set(options.only)
  for (const s of scenarios) {
    if (s.kind === 'http' && s.mix && wanted.has(s.id)) for (const { id } of s.mix.ideal) wanted.add(id)
  }
  const selected = scenarios.filter(
    (s) =>
      (s.id === 'ceiling' || wanted.size === 0 || wanted.has(s.id)) &&
      (s.kind === 'http' || withPgbench) &&
      (withRedisServer || !s.id.startsWith('visits-aof')),
  )

  const cleanup = createCleanup()
  process.once('SIGINT', () => void cleanup.run().then(() => process.exit(130)))
  try {
    const loadStart = loadavg()
    if (options.buildImage) {
      progress('building the production image')
      await buildImage(ROOT)
    }
    progress('starting PostgreSQL and Redis (or using DATABASE_URL / REDIS_URL)')
    const stores = await useBenchStores(cleanup)
    await migrateAndSeed(API_DIR, stores, SEEDED_MESSAGES)
    if (options.profile) {
      rmSync(PROFILES_DIR, { recursive: true, force: true })
      mkdirSync(PROFILES_DIR, { recursive: true })
    }

    const aofRedis: Partial<Record<FsyncPolicy, string>> = {}
    for (const policy of ['everysec', 'always'] as const) {
      if (selected.some((s) => s.id === `visits-aof-${policy}`))
        aofRedis[policy] = await startRedisWithAof(cleanup, policy)
    }
    const traceSink = await startTraceSink(cleanup)
    const metricsPorts = { api: await freePort(), publishOff: await freePort() }
    const pageFile = join(RESULTS_DIR, 'cached-page.json')
    const specs = serverSpecs(stores, options, aofRedis, traceSink, metricsPorts, pageFile)
    const coldStartMs: number[] = []
    for (let i = 0; i < options.coldStarts; i++) {
      const server = await startServer({ ...specs.api, args: ['dist/server.js'] })
      coldStartMs.push(server.coldStartMs)
      await server.stop()
    }
    const servers = new Map<ServerName, Server>()
    const wanted = new Set(selected.flatMap((s) => (s.kind === 'http' ? [s.server] : [])))
    // The page ceiling serves what the API sends: the API starts first.
    if (wanted.has('ceiling-page')) wanted.add('api')
    const startOrder = [...wanted].sort((a, b) => Number(a === 'ceiling-page') - Number(b === 'ceiling-page'))
    for (const name of startOrder) {
      if (name === 'ceiling-page') await capturePage(servers.get('api') as Server, pageFile)
      const server = await startServer(specs[name])
      cleanup.teardown(() => server.stop())
      servers.set(name, server)
      // A profiled start is slower than a real one: it does not count.
      if (name === 'api' && !options.profile) coldStartMs.unshift(server.coldStartMs)
    }
    progress(`cold start: ${coldStartMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`)

    const failures: string[] = []
    const load = { connections: options.connections }
    const metricsOf: Partial<Record<ServerName, string>> = {
      api: `http://127.0.0.1:${metricsPorts.api}`,
      'api-publish-off': `http://127.0.0.1:${metricsPorts.publishOff}`,
    }
    const runOnce = async (
      scenario: Scenario,
      durationSeconds: number,
    ): Promise<LoadResult & { hitRatio?: number }> => {
      if (scenario.kind === 'pgbench')
        return pgbench(stores.databaseUrl, { ...load, durationSeconds }, scenario.script)
      const server = servers.get(scenario.server) as Server
      const request = {
        url: `${server.url}${scenario.path}`,
        method: scenario.method,
        body: scenario.body,
        mix: scenario.mix?.requests,
      }
      const metrics = scenario.mix ? metricsOf[scenario.server] : undefined
      if (!metrics) return tool.run(request, { ...load, durationSeconds })
      const before: ListReads = await scrapeListReads(metrics)
      const result = await tool.run(request, { ...load, durationSeconds })
      return { ...result, hitRatio: hitRatio(before, await scrapeListReads(metrics)) }
    }
    const rssOf = (scenario: Scenario) =>
      scenario.kind === 'http' ? (servers.get(scenario.server) as Server).rssMb() : Number.NaN

    if (options.warmupSeconds > 0) progress(`warming up, ${options.warmupSeconds} s per scenario`)
    for (const scenario of selected) {
      if (scenario.kind === 'http') await preflight(scenario, (servers.get(scenario.server) as Server).url)
      if (options.warmupSeconds === 0) continue
      const result = await runOnce(scenario, options.warmupSeconds)
      if (result.errors > 0) failures.push(`${scenario.label}: ${result.errors} errors during warm-up`)
    }

    const results = new Map<Scenario, RoundResult[]>(selected.map((s) => [s, []]))
    for (let round = 0; round < options.rounds; round++) {
      // Each round starts one scenario later, so no scenario always follows the same one.
      const order = selected.map((_, i) => selected[(i + round) % selected.length] as Scenario)
      for (const scenario of order) {
        const result = await runOnce(scenario, options.durationSeconds)
        results.get(scenario)?.push({ ...result, round, rssMb: rssOf(scenario) })
        progress(
          `round ${round + 1}/${options.rounds} ${scenario.label}: ${Math.round(result.requestsPerSecond)} req/s` +
            `, p99 ${result.p99Ms.toFixed(2)} ms, ${result.errors} errors` +
            (result.hitRatio === undefined ? '' : `, list hit ratio ${(result.hitRatio * 100).toFixed(1)} %`),
        )
        await sleep(500)
      }
    }
    for (const [scenario, rounds] of results) {
      const errors = rounds.reduce((sum, r) => sum + r.errors, 0)
      if (errors > 0) failures.push(`${scenario.label}: ${errors} errors or non-2xx responses`)
    }
    for (const scenario of selected.filter((s): s is HttpScenario => s.kind === 'http')) {
      await preflight(scenario, (servers.get(scenario.server) as Server).url).catch((error: Error) =>
        failures.push(`after the run: ${error.message}`),
      )
    }

    const rssAfterMb = servers.get('api')?.rssMb() ?? Number.NaN
    // Last: it replaces the table's rows.
    const growth =
      options.growth.length > 0 && servers.has('api-uncached')
        ? await runGrowth({
            databaseUrl: stores.databaseUrl,
            server: servers.get('api-uncached') as Server,
            tool,
            sizes: options.growth,
            connections: options.connections,
            rounds: options.growthRounds,
            durationSeconds: options.growthDurationSeconds,
            cursorSecret: specs.api.env.CURSOR_SECRET as string,
            progress,
          })
        : []
    await cleanup.run()
    const summaries = summarize(results, 'ceiling')
    const coldStart = median(coldStartMs)
    const cpu = cpus()
    const report: BenchReport = {
      startedAt: new Date().toISOString(),
      machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      loadAverage: { start: loadStart, end: loadavg() },
      tool: comparable ? 'wrk (1 thread)' : 'autocannon (in the bench process)',
      comparable,
      connections: options.connections,
      rounds: options.rounds,
      durationSeconds: options.durationSeconds,
      dataStores: describeServers(),
      apiEnv: options.apiEnv,
      scenarios: summaries,
      coldStartMs,
      rssAfterMb,
      image: await imageSize(),
      growth,
      targets: evaluateTargets(summaries, coldStart, rssAfterMb, growth),
      failures,
    }
    mkdirSync(RESULTS_DIR, { recursive: true })
    const markdown = toMarkdown(report)
    writeFileSync(join(RESULTS_DIR, 'latest.md'), markdown)
    writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`)
    if (options.profile) {
      for (const file of readdirSync(PROFILES_DIR).filter((name) => name.endsWith('.cpuprofile'))) {
        const summary = summarizeProfile(join(PROFILES_DIR, file))
        writeFileSync(join(PROFILES_DIR, `${file}.txt`), `${summary}\n`)
        console.error(`${summary}\n`)
      }
    }
    console.log(options.json ? JSON.stringify(report, null, 2) : markdown)
    progress('wrote bench/results/latest.md and latest.json')
    return failures.length === 0 ? 0 : 1
  } finally {
    await cleanup.run()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bench failed:', error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
