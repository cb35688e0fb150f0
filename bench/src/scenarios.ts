import type { MixedRequest } from './load/load-tool.ts'

export type ServerName =
  | 'ceiling'
  | 'api'
  | 'api-uncached'
  | 'api-limited'
  | 'api-aof-everysec'
  | 'api-aof-always'
  | 'api-metrics-off'
  | 'api-traced'
  | 'api-shedding'
  | 'api-publish-off'
  | 'ceiling-page'

export interface HttpScenario {
  kind: 'http'
  id: string
  label: string
  server: ServerName
  method: 'GET' | 'POST'
  path: string
  body?: string
  /** The status every response must have (checked before the load, counted during it). */
  status: number
  /** What `x-cache` must say once warm, so the scenario measures the path it names. */
  cache?: 'hit' | 'miss'
  /**
   * A read/write mix instead of the one request (the request above is the
   * preflight's): sent in this order, over and over. `ideal` names the
   * single-operation scenario of each kind of request, for the harmonic ideal.
   */
  mix?: { requests: MixedRequest[]; ideal: { id: string; share: number }[] }
}

export interface PgbenchScenario {
  kind: 'pgbench'
  id: string
  label: string
  script: 'insert' | 'list'
}

export type Scenario = HttpScenario | PgbenchScenario

const message = JSON.stringify({ content: 'A benchmark message, about as long as a real one.' })
const LIST = '/api/messages?limit=20'

/** `reads` list reads for every `posts` message posts and `visits` visits, spread evenly. */
function mix(reads: number, posts: number, visits = 0): NonNullable<HttpScenario['mix']> {
  const kinds = [
    { id: 'messages-cached', count: reads, request: { method: 'GET', path: LIST } },
    { id: 'messages-post', count: posts, request: { method: 'POST', path: '/api/messages', body: message } },
    { id: 'visits', count: visits, request: { method: 'POST', path: '/api/visits', body: '{}' } },
  ] as const
  const total = reads + posts + visits
  const sent = kinds.map(() => 0)
  const requests: MixedRequest[] = []
  // Each slot goes to the kind furthest behind its share so far.
  for (let slot = 1; slot <= total; slot++) {
    let pick = 0
    kinds.forEach((kind, i) => {
      const behind = (slot * kind.count) / total - (sent[i] as number)
      const best = (slot * (kinds[pick] as (typeof kinds)[number]).count) / total - (sent[pick] as number)
      if (behind > best) pick = i
    })
    sent[pick] = (sent[pick] as number) + 1
    requests.push({ ...(kinds[pick] as (typeof kinds)[number]).request })
  }
  const ideal = kinds
    .filter((kind) => kind.count > 0)
    .map((kind) => ({ id: kind.id, share: kind.count / total }))
  return { requests, ideal }
}

/** A mix on the API: the preflight reads the list (a hit or a miss, both fine). */
const mixed = (id: string, label: string, server: ServerName, spec: NonNullable<HttpScenario['mix']>) =>
  ({ kind: 'http', id, label, server, method: 'GET', path: LIST, status: 200, mix: spec }) as const

export const scenarios: Scenario[] = [
  {
    kind: 'http',
    id: 'ceiling',
    label: 'ceiling: bare Fastify JSON route',
    server: 'ceiling',
    method: 'GET',
    path: '/',
    status: 200,
  },
  {
    kind: 'http',
    id: 'messages-cached',
    label: 'GET /api/messages (cache hit)',
    server: 'api',
    method: 'GET',
    path: '/api/messages',
    status: 200,
    cache: 'hit',
  },
  {
    kind: 'http',
    id: 'ceiling-page',
    label: "ceiling: the cached page's bytes and headers, precomputed",
    server: 'ceiling-page',
    method: 'GET',
    path: '/api/messages',
    status: 200,
    cache: 'hit',
  },
  {
    kind: 'http',
    id: 'messages-cached-read-limited',
    label: 'GET /api/messages (cache hit, read limit on)',
    server: 'api-limited',
    method: 'GET',
    path: '/api/messages',
    status: 200,
    cache: 'hit',
  },
  {
    kind: 'http',
    id: 'messages-cached-shedding',
    label: 'GET /api/messages (cache hit, load shedding on)',
    server: 'api-shedding',
    method: 'GET',
    path: '/api/messages',
    status: 200,
    cache: 'hit',
  },
  mixed('mixed-95-5', 'mix: 95 % GET /api/messages, 5 % POST /api/messages', 'api', mix(19, 1)),
  mixed(
    'mixed-95-5-publish-off',
    'mix 95/5 with CACHE_PUBLISH_FIRST_PAGE=false (every write drops every page)',
    'api-publish-off',
    mix(19, 1),
  ),
  mixed('mixed-80-20', 'mix: 80 % GET /api/messages, 20 % POST /api/messages', 'api', mix(4, 1)),
  mixed(
    'mixed-visits',
    'mix: 70 % GET /api/messages, 25 % POST /api/visits, 5 % POST /api/messages',
    'api',
    mix(14, 1, 5),
  ),
  {
    kind: 'http',
    id: 'messages-cached-metrics-off',
    label: 'GET /api/messages (cache hit, METRICS_ENABLED=false)',
    server: 'api-metrics-off',
    method: 'GET',
    path: '/api/messages',
    status: 200,
    cache: 'hit',
  },
  {
    kind: 'http',
    id: 'messages-cached-traced',
    label: 'GET /api/messages (cache hit, every request traced)',
    server: 'api-traced',
    method: 'GET',
    path: '/api/messages',
    status: 200,
    cache: 'hit',
  },
  {
    kind: 'http',
    id: 'messages-postgres',
    label: 'GET /api/messages (cache off: Postgres)',
    server: 'api-uncached',
    method: 'GET',
    path: '/api/messages',
    status: 200,
    cache: 'miss',
  },
  {
    kind: 'http',
    id: 'visits',
    label: 'POST /api/visits',
    server: 'api',
    method: 'POST',
    path: '/api/visits',
    body: '{}',
    status: 200,
  },
  {
    kind: 'http',
    id: 'visits-metrics-off',
    label: 'POST /api/visits (METRICS_ENABLED=false)',
    server: 'api-metrics-off',
    method: 'POST',
    path: '/api/visits',
    body: '{}',
    status: 200,
  },
  {
    kind: 'http',
    id: 'visits-traced',
    label: 'POST /api/visits (every request traced)',
    server: 'api-traced',
    method: 'POST',
    path: '/api/visits',
    body: '{}',
    status: 200,
  },
  {
    kind: 'http',
    id: 'visits-limited',
    label: 'POST /api/visits (write limit on)',
    server: 'api-limited',
    method: 'POST',
    path: '/api/visits',
    body: '{}',
    status: 200,
  },
  {
    kind: 'http',
    id: 'visits-aof-everysec',
    label: 'POST /api/visits (AOF, appendfsync everysec)',
    server: 'api-aof-everysec',
    method: 'POST',
    path: '/api/visits',
    body: '{}',
    status: 200,
  },
  {
    kind: 'http',
    id: 'visits-aof-always',
    label: 'POST /api/visits (AOF, appendfsync always)',
    server: 'api-aof-always',
    method: 'POST',
    path: '/api/visits',
    body: '{}',
    status: 200,
  },
  {
    kind: 'http',
    id: 'messages-post',
    label: 'POST /api/messages',
    server: 'api',
    method: 'POST',
    path: '/api/messages',
    body: message,
    status: 201,
  },
  {
    kind: 'http',
    id: 'status',
    label: 'GET /api/status',
    server: 'api',
    method: 'GET',
    path: '/api/status',
    status: 200,
  },
  {
    kind: 'http',
    id: 'ready',
    label: 'GET /health/ready',
    server: 'api',
    method: 'GET',
    path: '/health/ready',
    status: 200,
  },
  { kind: 'pgbench', id: 'pgbench', label: 'pgbench: one INSERT per transaction', script: 'insert' },
  {
    kind: 'pgbench',
    id: 'pgbench-list',
    label: "pgbench: the list's first-page query (same SQL, prepared)",
    script: 'list',
  },
]

/** One request the way the load tool will send it, twice (the second must be warm). */
export async function preflight(scenario: HttpScenario, baseUrl: string): Promise<void> {
  for (const attempt of [1, 2]) {
    const response = await fetch(`${baseUrl}${scenario.path}`, {
      method: scenario.method,
      ...(scenario.body !== undefined && {
        body: scenario.body,
        headers: { 'content-type': 'application/json' },
      }),
    })
    await response.arrayBuffer()
    if (response.status !== scenario.status) {
      throw new Error(`${scenario.label}: expected ${scenario.status}, got ${response.status}`)
    }
    const cache = response.headers.get('x-cache')
    if (attempt === 2 && scenario.cache && cache !== scenario.cache) {
      throw new Error(`${scenario.label}: expected x-cache ${scenario.cache}, got ${cache}`)
    }
  }
}
