import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { K8S_DIR, openapiPaths, service } from '../helpers/facts.ts'
import type { Release } from '../helpers/render.ts'
import {
  apiSettings,
  apiTemplate,
  type Container,
  containersOf,
  imageTag,
  podTemplates,
  portNumber,
  where,
} from '../helpers/workloads.ts'

const PROBES = [
  ['startupProbe', service.probes.startup],
  ['livenessProbe', service.probes.liveness],
  ['readinessProbe', service.probes.readiness],
] as const

/** The api's three probes are HTTP GETs of service.json's routes, which openapi.json serves, on its http port. */
export function probesUseRealRoutes({ app }: Release): string[] {
  const template = apiTemplate(app)
  const api = template?.spec.containers.find((c: Container) => c.name === 'api')
  if (template === undefined || api === undefined) return ['no api container']
  return PROBES.flatMap(([probe, route]) => {
    const get = api[probe]?.httpGet
    if (get === undefined) return [`the api has no HTTP ${probe}`]
    return [
      openapiPaths.has(get.path)
        ? []
        : [`${probe} GETs ${get.path}, which apps/api/openapi.json does not serve`],
      get.path === route ? [] : [`${probe} GETs ${get.path}, not service.json's ${route}`],
      portNumber(template, get.port) === service.http.port
        ? []
        : [`${probe} is not on port ${service.http.port}`],
    ].flat()
  })
}

/** The http and metrics ports, PORT and METRICS_PORT, and Prometheus's annotations are service.json's. */
export function portsMatchServiceFacts({ app }: Release): string[] {
  const template = apiTemplate(app)
  if (template === undefined) return ['no api Deployment']
  const settings = apiSettings(app)
  const expected: [string, unknown, unknown][] = [
    ['container port http', portNumber(template, 'http'), service.http.port],
    ['container port metrics', portNumber(template, 'metrics'), service.metrics.port],
    ['PORT', settings.PORT, String(service.http.port)],
    ['METRICS_PORT', settings.METRICS_PORT, String(service.metrics.port)],
    ['prometheus.io/port', template.annotations['prometheus.io/port'], String(service.metrics.port)],
    ['prometheus.io/path', template.annotations['prometheus.io/path'], service.metrics.path],
  ]
  return expected
    .filter(([, got, want]) => got !== want)
    .map(([what, got, want]) => `${what} is ${got}, not ${want}`)
}

const quantity = (value: unknown, units: Record<string, number>): number => {
  const match = /^([\d.]+)([A-Za-z]*)$/.exec(String(value))
  return match ? Number(match[1]) * (units[match[2] ?? ''] ?? Number.NaN) : Number.NaN
}
const cpu = (value: unknown) => quantity(value, { '': 1, m: 0.001 })
const mebibytes = (value: unknown) => quantity(value, { Ki: 1 / 1024, Mi: 1, Gi: 1024 })

/** Every container and init container requests and limits CPU and memory; the api's limits are service.json's. */
export function everyContainerIsBounded({ all }: Release): string[] {
  const problems = podTemplates(all).flatMap((template) =>
    containersOf(template).flatMap((container) => {
      const { requests = {}, limits = {} } = container.resources ?? {}
      return ['cpu', 'memory'].flatMap((resource) => {
        const size = resource === 'cpu' ? cpu : mebibytes
        if (requests[resource] === undefined || limits[resource] === undefined) {
          return [`${where(template, container)} has no ${resource} request or limit`]
        }
        const within = size(requests[resource]) <= size(limits[resource])
        return within ? [] : [`${where(template, container)} requests more ${resource} than its limit`]
      })
    }),
  )
  const limits = apiTemplate(all)?.spec.containers[0]?.resources?.limits ?? {}
  if (mebibytes(limits.memory) !== service.resources.memoryLimitMiB)
    problems.push("api memory limit is not service.json's")
  if (cpu(limits.cpu) !== service.resources.cpuLimit) problems.push("api cpu limit is not service.json's")
  return problems
}

interface ImageSetting {
  name: string
  newName?: string
  newTag?: string
}

/** The images an overlay's release/ component sets: the one place a user names a release. */
export function releaseImages(overlay: string): string[] {
  const file = join(K8S_DIR, 'overlays', overlay, 'release/kustomization.yaml')
  const { images = [] } = parse(readFileSync(file, 'utf8')) as { images?: ImageSetting[] }
  return images.map((image) => `${image.newName ?? image.name}:${image.newTag}`)
}

/** Every image is tagged, never `latest`, and set by the overlay's release/ (so overridable); the api's is service.json's. */
export function imagesArePinned({ overlay, all }: Release): string[] {
  const released = releaseImages(overlay)
  return podTemplates(all).flatMap((template) =>
    containersOf(template).flatMap((container) => {
      const { image } = container
      const tag = imageTag(image)
      const ours = ['api', 'migrate'].includes(container.name)
      return [
        tag === undefined ? [`${where(template, container)} image ${image} has no tag`] : [],
        tag === 'latest' ? [`${where(template, container)} runs ${image}`] : [],
        released.includes(image) ? [] : [`${image} is not set by overlays/${overlay}/release`],
        ours && !image.startsWith(`${service.images.api}:`)
          ? [`${image} is not service.json's api image`]
          : [],
      ].flat()
    }),
  )
}
