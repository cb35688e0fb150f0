import { run } from './run.ts'

export interface Reply {
  status: number
  body: string
  /** Lower-case names; only from the host (`hostFetch`). */
  headers: Record<string, string>
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the tests
  json(): any
}

function reply(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, body, headers, json: () => JSON.parse(body) }
}

export interface Request {
  method?: string
  /** Sent as JSON. */
  body?: unknown
}

function init(request: Request): RequestInit {
  return {
    method: request.method ?? 'GET',
    ...(request.body !== undefined && {
      body: JSON.stringify(request.body),
      headers: { 'content-type': 'application/json' },
    }),
  }
}

/** A request from the host, e.g. to the proxy's published port. */
export async function hostFetch(url: string, request: Request = {}): Promise<Reply> {
  const response = await fetch(url, { ...init(request), signal: AbortSignal.timeout(10_000) })
  return reply(response.status, await response.text(), Object.fromEntries(response.headers))
}

// Runs inside an api container, which has node but no curl.
const IN_CONTAINER = `
const [url, init] = process.argv.slice(1)
fetch(url, { ...JSON.parse(init), signal: AbortSignal.timeout(10000) })
  .then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })))
  .catch((e) => { console.error(String(e.cause ?? e)); process.exit(1) })
`

/** A request made inside a container, e.g. to one replica at 127.0.0.1:3000. */
export async function fetchInside(container: string, url: string, request: Request = {}): Promise<Reply> {
  const { stdout } = await run('docker', [
    'exec',
    container,
    'node',
    '-e',
    IN_CONTAINER,
    url,
    JSON.stringify(init(request)),
  ])
  const { status, body } = JSON.parse(stdout)
  return reply(status, body)
}

export interface Load {
  /** Stops the load and returns what every request got. */
  stop(): Promise<{ ok: number; failures: string[] }>
}

/** Requests `urls` in a loop from `workers` concurrent clients until stopped. */
export function startLoad(urls: string[], workers = 4): Load {
  let running = true
  let ok = 0
  const failures: string[] = []
  const worker = async (offset: number) => {
    for (let i = offset; running; i++) {
      const url = urls[i % urls.length] as string
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(15_000) })
        await response.arrayBuffer()
        if (response.status === 200) ok++
        else failures.push(`${response.status} ${url}`)
      } catch (error) {
        failures.push(`${(error as Error).cause ?? error} ${url}`)
      }
    }
  }
  const all = Promise.all(Array.from({ length: workers }, (_, i) => worker(i)))
  return {
    async stop() {
      running = false
      await all
      return { ok, failures }
    },
  }
}
