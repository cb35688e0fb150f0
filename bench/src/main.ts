import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Backends, migrateAndSeed, useBenchBackends } from './backends.ts'
import { createCleanup } from './cleanup.ts'
import { buildImage, imageSize } from './image.ts'
import { autocannon } from './load/autocannon.ts'
import type { LoadResult, LoadTool } from './load/load-tool.ts'
import { hasPgbench, pgbench } from './load/pgbench.ts'
import { hasWrk, wrk } from './load/wrk.ts'
import { type Options, readOptions } from './options.ts'
import { type Server, type ServerSpec, startServer } from './processes.ts'
import { summarizeProfile } from './profile-summary.ts'
import { type BenchReport, evaluateTargets, toMarkdown } from './report.ts'
import { type HttpScenario, preflight, type Scenario, type ServerName, scenarios } from './scenarios.ts'
import { median, type RoundResult, summarize } from './summary.ts'

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

/** NODE_OPTIONS as the production image sets it, so the bench runs the API the same way. */
function imageNodeOptions(): string {
  const dockerfile = readFileSync(join(API_DIR, 'Dockerfile'), 'utf8')
  const value = /^ENV .*\bNODE_OPTIONS=("[^"]*"|\S+)/m.exec(dockerfile)?.[1] ?? ''
  return value.replace(/^"(.*)"$/, '$1')
}

function serverSpecs(backends: Backends, options: Options): Record<ServerName, ServerSpec> {
  const production = { NODE_ENV: 'production', LOG_LEVEL: 'warn' }
  const api = {
    ...production,
    DATABASE_URL: backends.databaseUrl,
    REDIS_URL: backends.redisUrl,
    REDIS_KEY_PREFIX: backends.keyPrefix,
    SHUTDOWN_DRAIN_MS: '0',
    // One load generator on one address is what the write limit stops: the
    // endpoints are measured without it, and `api-limited` measures its cost.
    RATE_LIMIT_MAX: '0',
    NODE_OPTIONS: imageNodeOptions(),
    ...options.apiEnv,
  }
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
    api: {
      name: 'api',
      args: profiled('api', 'dist/server.js'),
      env: api,
      readyPath: '/health/ready',
      cwd: API_DIR,
    },
    'api-limited': {
      name: 'api-limited',
      args: ['dist/server.js'],
      // The limiter on the path, at a limit the load never reaches.
      env: { ...api, RATE_LIMIT_MAX: '1000000' },
      readyPath: '/health/ready',
      cwd: API_DIR,
    },
    'api-uncached': {
      name: 'api-uncached',
      args: ['dist/server.js'],
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
  const withPgbench = await hasPgbench()
  if (!withPgbench) progress('pgbench not on PATH: no INSERT baseline (apt-get install postgresql-contrib)')
  const selected = scenarios.filter(
    (s) =>
      (s.id === 'ceiling' || options.only.length === 0 || options.only.includes(s.id)) &&
      (s.kind === 'http' || withPgbench),
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
    const backends = await useBenchBackends(cleanup)
    await migrateAndSeed(API_DIR, backends, SEEDED_MESSAGES)
    if (options.profile) {
      rmSync(PROFILES_DIR, { recursive: true, force: true })
      mkdirSync(PROFILES_DIR, { recursive: true })
    }

    const specs = serverSpecs(backends, options)
    const coldStartMs: number[] = []
    for (let i = 0; i < options.coldStarts; i++) {
      const server = await startServer({ ...specs.api, args: ['dist/server.js'] })
      coldStartMs.push(server.coldStartMs)
      await server.stop()
    }
    const servers = new Map<ServerName, Server>()
    for (const name of new Set(selected.flatMap((s) => (s.kind === 'http' ? [s.server] : [])))) {
      const server = await startServer(specs[name])
      cleanup.teardown(() => server.stop())
      servers.set(name, server)
      // A profiled start is slower than a real one: it does not count.
      if (name === 'api' && !options.profile) coldStartMs.unshift(server.coldStartMs)
    }
    progress(`cold start: ${coldStartMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`)

    const failures: string[] = []
    const load = { connections: options.connections }
    const runOnce = async (scenario: Scenario, durationSeconds: number): Promise<LoadResult> => {
      if (scenario.kind === 'pgbench') return pgbench(backends.databaseUrl, { ...load, durationSeconds })
      const server = servers.get(scenario.server) as Server
      const request = { url: `${server.url}${scenario.path}`, method: scenario.method, body: scenario.body }
      return tool.run(request, { ...load, durationSeconds })
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
            `, p99 ${result.p99Ms.toFixed(2)} ms, ${result.errors} errors`,
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
    await cleanup.run()
    const summaries = summarize(results, 'ceiling')
    const coldStart = median(coldStartMs)
    const cpu = cpus()
    const report: BenchReport = {
      startedAt: new Date().toISOString(),
      machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      loadAverage: { start: loadStart, end: loadavg() },
      tool: tool === wrk ? 'wrk (1 thread)' : 'autocannon (in the bench process)',
      connections: options.connections,
      rounds: options.rounds,
      durationSeconds: options.durationSeconds,
      backends: backends.description,
      apiEnv: options.apiEnv,
      scenarios: summaries,
      coldStartMs,
      rssAfterMb,
      image: await imageSize(),
      targets: evaluateTargets(summaries, coldStart, rssAfterMb),
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
