import { program } from './programs.ts'
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
  headers?: Record<string, string>
}

function init(request: Request): RequestInit {
  const json = request.body !== undefined
  return {
    method: request.method ?? 'GET',
    headers: { ...(json && { 'content-type': 'application/json' }), ...request.headers },
    ...(json && { body: JSON.stringify(request.body) }),
  }
}

/** A request from the host, e.g. to the proxy's published port. */
export async function hostFetch(url: string, request: Request = {}): Promise<Reply> {
  const response = await fetch(url, { ...init(request), signal: AbortSignal.timeout(10_000) })
  return reply(response.status, await response.text(), Object.fromEntries(response.headers))
}

/** A request made inside a container, e.g. to one replica at 127.0.0.1:3000. */
export async function fetchInside(container: string, url: string, request: Request = {}): Promise<Reply> {
  const { stdout } = await run(
    'docker',
    ['exec', '-i', container, 'node', '-', url, JSON.stringify(init(request))],
    {
      input: program('fetch.cjs'),
    },
  )
  const { status, body } = JSON.parse(stdout)
  return reply(status, body)
}

export interface Load {
  /** Stops the load and returns what every request got, and how many GETs were sent twice. */
  stop(): Promise<{ ok: number; failures: string[]; resent: number }>
}

/** The connection closed before any answer, e.g. a kept-alive one the proxy shut as it reloaded. */
const closedUnderIt = (error: unknown) =>
  (error as Error).name !== 'TimeoutError' && (error as Error).name !== 'AbortError'

/** Requests `urls` in a loop from `workers` concurrent clients until stopped. */
export function startLoad(urls: string[], workers = 4): Load {
  let running = true
  let ok = 0
  let resent = 0
  const failures: string[] = []
  const get = async (url: string) => {
    const response = await fetch(url, { signal: AbortSignal.timeout(15_000) })
    await response.arrayBuffer()
    return response.status
  }
  // As browsers do (RFC 9110 §9.2.2): a GET whose connection closed under it
  // is sent once more, on a new connection; a second failure counts.
  const getOnceMore = async (url: string) => {
    try {
      return await get(url)
    } catch (error) {
      if (!closedUnderIt(error)) throw error
      resent++
      return get(url)
    }
  }
  const worker = async (offset: number) => {
    for (let i = offset; running; i++) {
      const url = urls[i % urls.length] as string
      try {
        const status = await getOnceMore(url)
        if (status === 200) ok++
        else failures.push(`${status} ${url}`)
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
      return { ok, failures, resent }
    },
  }
}
