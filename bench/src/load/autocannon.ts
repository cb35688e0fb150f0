import autocannonRun from 'autocannon'
import type { LoadTool } from './load-tool.ts'

/** The fallback when wrk is not installed: runs in this process, so it takes more CPU from the server. */
export const autocannon: LoadTool = {
  name: 'autocannon',
  async run(request, { connections, durationSeconds }) {
    const result = await autocannonRun({
      url: request.url,
      method: request.method,
      connections,
      duration: durationSeconds,
      timeout: 2,
      ...(request.mix && {
        requests: request.mix.map((r) => ({
          method: r.method,
          path: r.path,
          ...(r.body !== undefined && { body: r.body, headers: { 'content-type': 'application/json' } }),
        })),
      }),
      ...(request.body !== undefined && {
        body: request.body,
        headers: { 'content-type': 'application/json' },
      }),
    })
    return {
      requests: result.requests.total,
      requestsPerSecond: result.requests.total / (result.duration || durationSeconds),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
    }
  },
}
