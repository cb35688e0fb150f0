import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const REPO = join(import.meta.dirname, '../../../..')
export const K8S_DIR = join(REPO, 'infra/k8s')

/** infra/service.json: the facts every deployment of the api agrees on. */
export interface ServiceFacts {
  http: { port: number }
  metrics: { port: number; path: string }
  probes: { startup: string; liveness: string; readiness: string }
  shutdown: { drainMs: number; timeoutMs: number; preStopSeconds: number; graceSeconds: number }
  user: { uid: number; gid: number }
  resources: { memoryLimitMiB: number; cpuLimit: number }
  images: { api: string; redis: string }
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(join(REPO, path), 'utf8'))

export const service = readJson('infra/service.json') as ServiceFacts

/** Every path the committed OpenAPI document serves. */
export const openapiPaths = new Set(
  Object.keys((readJson('apps/api/openapi.json') as { paths: Record<string, unknown> }).paths),
)
