export type ServerName = 'ceiling' | 'api' | 'api-uncached' | 'api-limited'

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
}

export interface PgbenchScenario {
  kind: 'pgbench'
  id: string
  label: string
}

export type Scenario = HttpScenario | PgbenchScenario

const message = JSON.stringify({ content: 'A benchmark message, about as long as a real one.' })

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
    status: 200,
  },
  {
    kind: 'http',
    id: 'visits-limited',
    label: 'POST /api/visits (write limit on)',
    server: 'api-limited',
    method: 'POST',
    path: '/api/visits',
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
  { kind: 'pgbench', id: 'pgbench', label: 'pgbench: one INSERT per transaction' },
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
