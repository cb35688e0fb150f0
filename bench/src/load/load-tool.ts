export interface LoadRequest {
  url: string
  method: 'GET' | 'POST'
  /** Sent as application/json. */
  body?: string
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
