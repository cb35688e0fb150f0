import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { K8S_DIR } from '../helpers/facts.ts'
import type { K8sObject, Release } from '../helpers/render.ts'
import { label } from '../helpers/render.ts'
import { named, ofKind, podTemplates, portNumber, selects } from '../helpers/workloads.ts'

type Backend = { service?: { name?: string; port?: { name?: string } } }

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
])

/** Every Service, NetworkPolicy and PodDisruptionBudget selects pods that exist (in the app or the migration). */
export function selectorsMatchWorkloads({ all }: Release): string[] {
  const templates = podTemplates(all)
  const selectorOf = (object: K8sObject) =>
    object.kind === 'Service'
      ? object.spec.selector && { matchLabels: object.spec.selector }
      : object.kind === 'NetworkPolicy'
        ? object.spec.podSelector
        : object.spec.selector
  return all
    .filter((object) => ['Service', 'NetworkPolicy', 'PodDisruptionBudget'].includes(object.kind))
    .filter((object) => !templates.some((template) => selects(selectorOf(object), template.labels)))
    .map((object) => `${label(object)} selects no pod`)
}

/** Every Service's target ports are ports of the pods it selects. */
export function servicePortsExist({ app }: Release): string[] {
  return ofKind(app, 'Service').flatMap((service) => {
    const targets = podTemplates(app).filter((t) => selects({ matchLabels: service.spec.selector }, t.labels))
    return (service.spec.ports ?? [])
      .filter((port: { targetPort?: string | number }) => {
        const target = port.targetPort ?? (port as { port: number }).port
        return !targets.some((t) => portNumber(t, target) !== undefined)
      })
      .map((port: { name?: string }) => `${label(service)} port ${port.name} reaches no container port`)
  })
}

/** The Ingress routes to a Service and port that exist. */
export function ingressRoutesToApi({ app }: Release): string[] {
  return ofKind(app, 'Ingress').flatMap((ingress) =>
    (ingress.spec.rules ?? []).flatMap((rule: { http?: { paths: { backend: Backend }[] } }) =>
      (rule.http?.paths ?? []).flatMap(({ backend }) => {
        const service = named(app, 'Service', backend.service?.name ?? '')
        const port = service?.spec.ports?.find(
          (p: { name: string }) => p.name === backend.service?.port?.name,
        )
        return port ? [] : [`${label(ingress)} routes to ${JSON.stringify(backend)}, which does not exist`]
      }),
    ),
  )
}

const README = readFileSync(join(K8S_DIR, 'README.md'), 'utf8')

/** No secret value is committed: every Secret is referenced by name, and the README shows how to create it. */
export function secretsAreOnlyReferenced({ all }: Release): string[] {
  const mounted = podTemplates(all).flatMap((t) =>
    (t.spec.volumes ?? []).flatMap((v: { secret?: { secretName: string } }) => v.secret?.secretName ?? []),
  )
  const tls = ofKind(all, 'Ingress').flatMap((i) =>
    (i.spec.tls ?? []).map((t: { secretName: string }) => t.secretName),
  )
  return [
    ofKind(all, 'Secret').map((secret) => `${label(secret)} is committed with its data`),
    [...new Set([...mounted, ...tls])]
      .filter((name) => !new RegExp(`create secret (generic|tls) ${name} `).test(README))
      .map((name) => `infra/k8s/README.md does not say how to create the ${name} Secret`),
  ].flat()
}

/** Everything lives in the board namespace, which enforces the restricted Pod Security Standard. */
export function everythingInOneNamespace({ all }: Release): string[] {
  const namespace = named(all, 'Namespace', 'board')
  return [
    namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'restricted'
      ? []
      : ['no board Namespace enforcing the restricted standard'],
    all
      .filter((object) => !CLUSTER_SCOPED.has(object.kind) && object.metadata.namespace !== 'board')
      .map((object) => `${label(object)} is in namespace ${object.metadata.namespace}`),
  ].flat()
}
