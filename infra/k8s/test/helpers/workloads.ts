import type { K8sObject } from './render.ts'

// biome-ignore lint/suspicious/noExplicitAny: pod specs are walked freely by the checks
type PodSpec = any
// biome-ignore lint/suspicious/noExplicitAny: containers too
export type Container = any

export interface PodTemplate {
  owner: K8sObject
  labels: Record<string, string>
  annotations: Record<string, string>
  spec: PodSpec
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: { key: string; operator: string; values?: string[] }[]
}

/** The pod template of every workload (Deployment, StatefulSet, Job, CronJob, Pod). */
export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects.flatMap((owner) => {
    const template =
      owner.kind === 'CronJob'
        ? owner.spec?.jobTemplate?.spec?.template
        : owner.kind === 'Pod'
          ? owner
          : owner.spec?.template
    if (template?.spec === undefined) return []
    const { labels = {}, annotations = {} } = template.metadata ?? {}
    return [{ owner, labels, annotations, spec: template.spec }]
  })
}

export function containersOf(template: PodTemplate): Container[] {
  return [...(template.spec.initContainers ?? []), ...(template.spec.containers ?? [])]
}

/** Kubernetes' label-selector semantics; an empty selector selects everything. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) return false
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value)
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return key in labels && values.includes(labels[key] as string)
    if (operator === 'NotIn') return !(key in labels && values.includes(labels[key] as string))
    if (operator === 'Exists') return key in labels
    if (operator === 'DoesNotExist') return !(key in labels)
    return false
  })
  return byLabels && byExpressions
}

export const ofKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind)

export function named(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((object) => object.kind === kind && object.metadata.name === name)
}

/** The api Deployment's pod template (every overlay has one). */
export function apiTemplate(objects: K8sObject[]): PodTemplate | undefined {
  return podTemplates(objects).find((t) => t.owner.kind === 'Deployment' && t.owner.metadata.name === 'api')
}

/** A container port's number from its name or number, as probes and policies refer to it. */
export function portNumber(template: PodTemplate, port: number | string): number | undefined {
  if (typeof port === 'number') return port
  const ports = containersOf(template).flatMap((c) => c.ports ?? [])
  return ports.find((p: { name?: string }) => p.name === port)?.containerPort
}

export const clone = <T>(value: T): T => structuredClone(value)

export const where = (template: PodTemplate, container?: Container) =>
  `${template.owner.kind}/${template.owner.metadata.name}${container ? ` container ${container.name}` : ''}`

/** The tag of an image reference (undefined when it has none or is pinned by digest). */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return undefined
  const name = image.slice(image.lastIndexOf('/') + 1)
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : undefined
}

/** The ConfigMap the api's containers take their environment from. */
export function apiSettings(objects: K8sObject[]): Record<string, string> {
  const names = (apiTemplate(objects)?.spec.containers ?? []).flatMap((c: Container) =>
    (c.envFrom ?? []).map((source: { configMapRef?: { name: string } }) => source.configMapRef?.name),
  )
  const maps = objects.filter((o) => o.kind === 'ConfigMap' && names.includes(o.metadata.name))
  return Object.assign({}, ...maps.map((map) => map.data ?? {}))
}
