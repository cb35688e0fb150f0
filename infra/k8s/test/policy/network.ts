import type { K8sObject, Release } from '../helpers/render.ts'
import { ofKind, type PodTemplate, podTemplates, portNumber, selects, where } from '../helpers/workloads.ts'

// biome-ignore lint/suspicious/noExplicitAny: NetworkPolicy rules are walked freely
type Rule = any
// biome-ignore lint/suspicious/noExplicitAny: and their peers
type Peer = any

const NAMESPACE = 'kubernetes.io/metadata.name'
const nameOf = (template: PodTemplate) => template.labels['app.kubernetes.io/name']
const isEmpty = (selector: object | undefined) => selector !== undefined && Object.keys(selector).length === 0
// An empty or missing `from`, `to` or `ports` means every source, destination or port.

function rules(objects: K8sObject[], template: PodTemplate, direction: 'Ingress' | 'Egress'): Rule[] {
  const field = direction === 'Ingress' ? 'ingress' : 'egress'
  return ofKind(objects, 'NetworkPolicy')
    .filter((policy) => selects(policy.spec.podSelector, template.labels))
    .filter((policy) => (policy.spec.policyTypes ?? ['Ingress']).includes(direction))
    .flatMap((policy) => policy.spec[field] ?? [])
}

const portsOf = (template: PodTemplate, rule: Rule): (number | undefined)[] =>
  (rule.ports?.length ? rule.ports : [{}]).map((p: { port?: number | string }) =>
    p.port === undefined ? undefined : portNumber(template, p.port),
  )

/** A default-deny policy selects every pod and allows nothing in or out. */
export function defaultDenyCoversEverything({ app }: Release): string[] {
  const denyAll = ofKind(app, 'NetworkPolicy').some(
    ({ spec }) =>
      isEmpty(spec.podSelector) &&
      ['Ingress', 'Egress'].every((type) => spec.policyTypes?.includes(type)) &&
      !spec.ingress?.length &&
      !spec.egress?.length,
  )
  return denyAll ? [] : ['no policy denies all ingress and egress for every pod']
}

/** The api takes its HTTP port only from the ingress controller's namespace, metrics only from monitoring's. */
export function apiIngressOnlyFromControllerAndMonitoring({ all }: Release): string[] {
  const api = podTemplates(all).find((t) => nameOf(t) === 'api' && t.owner.kind === 'Deployment')
  if (api === undefined) return ['no api Deployment']
  const allowed: Record<string, number | undefined> = {
    'ingress-nginx': portNumber(api, 'http'),
    monitoring: portNumber(api, 'metrics'),
  }
  const seen = new Set<string>()
  const problems = rules(all, api, 'Ingress').flatMap((rule) => {
    const peers: Peer[] = rule.from?.length ? rule.from : [{}]
    return peers.flatMap((peer) => {
      const namespace = peer.namespaceSelector?.matchLabels?.[NAMESPACE]
      const only = Object.keys(peer).length === 1 && Object.keys(peer.namespaceSelector ?? {}).length === 1
      const ports = portsOf(api, rule)
      if (namespace === undefined || !only || !(namespace in allowed))
        return [`the api admits ${JSON.stringify(peer)}`]
      if (ports.some((port) => port !== allowed[namespace]))
        return [`${namespace} reaches ports ${ports} of the api`]
      seen.add(namespace)
      return []
    })
  })
  const missing = Object.keys(allowed).filter((namespace) => !seen.has(namespace))
  return [...problems, ...missing.map((namespace) => `${namespace} cannot reach the api`)]
}

/** Postgres and Redis (dev) admit only the api's and the migration Job's pods, on their own port. */
export function backendsOnlyFromApiAndMigrate({ all }: Release): string[] {
  const templates = podTemplates(all)
  const backends = templates.filter((t) => ['postgres', 'redis'].includes(nameOf(t) ?? ''))
  return backends.flatMap((backend) =>
    rules(all, backend, 'Ingress').flatMap((rule) => {
      const peers: Peer[] = rule.from?.length ? rule.from : [{}]
      const ports = portsOf(backend, rule)
      const ownPort = backend.spec.containers[0]?.ports?.[0]?.containerPort
      return [
        ports.every((port) => port === ownPort) ? [] : [`${where(backend)} is open on ports ${ports}`],
        ...peers.map((peer) => {
          const admitted = templates.filter((t) => peer.podSelector && selects(peer.podSelector, t.labels))
          const strangers = admitted.filter((t) => !['api', 'api-migrate'].includes(nameOf(t) ?? ''))
          const narrow = Object.keys(peer).length === 1 && admitted.length > 0 && strangers.length === 0
          return narrow ? [] : [`${where(backend)} admits ${JSON.stringify(peer)}`]
        }),
      ].flat()
    }),
  )
}

const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0'])

/** Egress always names where and which ports: no rule lets a pod reach anything anywhere. */
export function egressIsNarrow({ all }: Release): string[] {
  return podTemplates(all).flatMap((template) =>
    rules(all, template, 'Egress').flatMap((rule) => {
      const peers: Peer[] = rule.to ?? []
      const open = peers.length === 0 || peers.some((p) => OPEN_CIDRS.has(p.ipBlock?.cidr) || isEmpty(p))
      return [
        open ? [`${where(template)} may reach any address`] : [],
        rule.ports?.length ? [] : [`${where(template)} may reach any port`],
      ].flat()
    }),
  )
}
