export interface MixedRequest {
  method: 'GET' | 'POST'
  /** Path and query, on the request's host. */
  path: string
  /** Sent as application/json. */
  body?: string | undefined
}

export interface LoadRequest {
  url: string
  method: 'GET' | 'POST'
  /** Sent as application/json. */
  body?: string | undefined
  /** Instead of the one request: these, in this order, over and over (a read/write mix). */
  mix?: MixedRequest[] | undefined
}

export interface LoadOptions {
  connections: number
  durationSeconds: number
}

export interface LoadResult {
  requests: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Connection errors, timeouts and non-2xx responses: any of them fails the run. */
  errors: number
}

export interface LoadTool {
  name: string
  run(request: LoadRequest, options: LoadOptions): Promise<LoadResult>
}
