import { parseArgs } from 'node:util'

export interface Options {
  rounds: number
  durationSeconds: number
  warmupSeconds: number
  connections: number
  json: boolean
  smoke: boolean
  tool: 'auto' | 'wrk' | 'autocannon'
  /** Scenario ids to run (the ceiling always runs); empty means all. */
  only: string[]
  profile: boolean
  buildImage: boolean
  coldStarts: number
  /** Table sizes for the growth runs (cost as data grows); empty: none. */
  growth: number[]
  growthRounds: number
  growthDurationSeconds: number
  /** Extra environment for the API processes, e.g. CACHE_LOCAL_MAX_ENTRIES=0 to measure without a tier. */
  apiEnv: Record<string, string>
}

export const USAGE = `pnpm bench [options]
  --rounds N         interleaved rounds (default 6)
  --duration S       seconds per scenario per round (default 6)
  --warmup S         seconds of warm-up per scenario (default 3)
  --connections N    concurrent connections (default 50)
  --cold-starts N    extra spawns to time cold start (default 3)
  --tool T           wrk | autocannon | auto (default: wrk when installed)
  --only a,b         only these scenario ids (the ceiling always runs)
  --api-env K=V      extra environment for the API (repeatable), to measure a setting
  --growth a,b,c     table sizes for the growth runs (default 1000,100000,1000000; smoke 1000,100000; 0: none)
  --growth-rounds N  rounds per size (default 2; smoke 1)
  --profile          run the API with --cpu-prof; profiles in bench/results/profiles
  --build-image      build the production image first, to report its size
  --smoke            1 round of 2 s, 1 s warm-up, 1 cold start: checks the bench still works
  --json             print the results as JSON instead of markdown`

export function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'cold-starts': { type: 'string' },
      tool: { type: 'string' },
      only: { type: 'string' },
      'api-env': { type: 'string', multiple: true },
      growth: { type: 'string' },
      'growth-rounds': { type: 'string' },
      profile: { type: 'boolean', default: false },
      'build-image': { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const smoke = values.smoke
  const count = (value: string | undefined, fallback: number, name: string) => {
    const parsed = value === undefined ? fallback : Number(value)
    if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a whole number`)
    return parsed
  }
  const tool = values.tool ?? 'auto'
  if (tool !== 'auto' && tool !== 'wrk' && tool !== 'autocannon') throw new Error(`--tool ${tool}?\n${USAGE}`)
  return {
    rounds: Math.max(1, count(values.rounds, smoke ? 1 : 6, 'rounds')),
    durationSeconds: Math.max(1, count(values.duration, smoke ? 2 : 6, 'duration')),
    warmupSeconds: count(values.warmup, smoke ? 1 : 3, 'warmup'),
    connections: Math.max(1, count(values.connections, 50, 'connections')),
    coldStarts: count(values['cold-starts'], smoke ? 0 : 3, 'cold-starts'),
    growth: (values.growth ?? (smoke ? '1000,100000' : '1000,100000,1000000'))
      .split(',')
      .map(Number)
      .filter((size) => Number.isInteger(size) && size > 0),
    growthRounds: Math.max(1, count(values['growth-rounds'], smoke ? 1 : 2, 'growth-rounds')),
    growthDurationSeconds: smoke ? 2 : 4,
    json: values.json,
    smoke,
    tool,
    only: values.only ? values.only.split(',').map((id) => id.trim()) : [],
    profile: values.profile,
    buildImage: values['build-image'],
    apiEnv: Object.fromEntries(
      (values['api-env'] ?? []).map((pair) => {
        const at = pair.indexOf('=')
        if (at < 1) throw new Error(`--api-env ${pair}: expected NAME=value`)
        return [pair.slice(0, at), pair.slice(at + 1)]
      }),
    ),
  }
}
