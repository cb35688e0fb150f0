import { service } from '../helpers/facts.ts'
import type { K8sObject, Release } from '../helpers/render.ts'
import {
  apiSettings,
  apiTemplate,
  imageTag,
  type LabelSelector,
  named,
  ofKind,
  podTemplates,
  selects,
} from '../helpers/workloads.ts'

type Spread = { topologyKey: string; labelSelector?: LabelSelector }

const apiAutoscaler = (objects: K8sObject[]) =>
  ofKind(objects, 'HorizontalPodAutoscaler').find((hpa) => hpa.spec.scaleTargetRef?.name === 'api')

/** Production keeps at least three api pods: the autoscaler's floor, and no lower count in the Deployment. */
export function prodRunsThreeReplicas({ app }: Release): string[] {
  const replicas = named(app, 'Deployment', 'api')?.spec.replicas
  const floor = apiAutoscaler(app)?.spec.minReplicas
  return [
    floor >= 3 ? [] : [`the autoscaler's minReplicas is ${floor}`],
    replicas === undefined || replicas >= 3 ? [] : [`the Deployment asks for ${replicas} replicas`],
  ].flat()
}

/** A rollout adds a pod before removing one (maxUnavailable 0). */
export function rolloutKeepsCapacity({ app }: Release): string[] {
  const strategy = named(app, 'Deployment', 'api')?.spec.strategy
  const { maxUnavailable, maxSurge } = strategy?.rollingUpdate ?? {}
  return [
    strategy?.type === 'RollingUpdate' ? [] : ['the api is not rolled'],
    [0, '0%'].includes(maxUnavailable) ? [] : [`maxUnavailable is ${maxUnavailable}`],
    maxSurge !== undefined && ![0, '0%'].includes(maxSurge) ? [] : ['maxSurge allows no new pod'],
  ].flat()
}

/** A PodDisruptionBudget selects the api's pods and no others. */
export function disruptionBudgetCoversApi({ all }: Release): string[] {
  const api = apiTemplate(all)
  const budgets = ofKind(all, 'PodDisruptionBudget')
  const covering = budgets.filter((pdb) => api && selects(pdb.spec.selector, api.labels))
  const others = podTemplates(all).filter(
    (t) => t.owner !== api?.owner && covering.some((pdb) => selects(pdb.spec.selector, t.labels)),
  )
  return [
    covering.length === 1 ? [] : [`${covering.length} disruption budgets select the api`],
    others.map((t) => `the api's disruption budget also selects ${t.owner.kind}/${t.owner.metadata.name}`),
  ].flat()
}

/** An autoscaling/v2 HorizontalPodAutoscaler scales the api Deployment on CPU, which the api requests. */
export function autoscalerTargetsApi({ app }: Release): string[] {
  const hpa = ofKind(app, 'HorizontalPodAutoscaler')[0]
  if (hpa === undefined) return ['no HorizontalPodAutoscaler']
  const { scaleTargetRef: target, minReplicas, maxReplicas, metrics = [] } = hpa.spec
  const deployment = named(app, target?.kind, target?.name)
  return [
    hpa.apiVersion === 'autoscaling/v2' ? [] : [`the autoscaler is ${hpa.apiVersion}`],
    deployment && target.apiVersion === 'apps/v1' && target.name === 'api'
      ? []
      : ['it does not target the api Deployment'],
    minReplicas <= maxReplicas ? [] : ['minReplicas exceeds maxReplicas'],
    metrics.some((m: { resource?: { name: string } }) => m.resource?.name === 'cpu')
      ? []
      : ['it does not scale on cpu'],
    apiTemplate(app)?.spec.containers[0]?.resources?.requests?.cpu
      ? []
      : ['the api requests no cpu to scale on'],
  ].flat()
}

/** The api's pods spread across nodes and zones (constraints that select the api's own pods). */
export function spreadsAcrossNodesAndZones({ app }: Release): string[] {
  const api = apiTemplate(app)
  const constraints = api?.spec.topologySpreadConstraints ?? []
  return ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']
    .filter(
      (key) =>
        !constraints.some(
          (c: Spread) => c.topologyKey === key && selects(c.labelSelector, api?.labels ?? {}),
        ),
    )
    .map((key) => `no spread constraint over ${key} for the api's pods`)
}

/** preStop sleep, drain and close fit in the grace period, all as service.json says. */
export function gracePeriodCoversDrain({ app }: Release): string[] {
  const spec = apiTemplate(app)?.spec
  const { preStopSeconds, drainMs, timeoutMs, graceSeconds } = service.shutdown
  const preStop = spec?.containers[0]?.lifecycle?.preStop?.sleep?.seconds
  const grace = spec?.terminationGracePeriodSeconds
  const settings = apiSettings(app)
  return [
    preStop === preStopSeconds ? [] : [`preStop sleeps ${preStop} s, not ${preStopSeconds}`],
    grace === graceSeconds ? [] : [`the grace period is ${grace} s, not ${graceSeconds}`],
    grace > preStopSeconds + (drainMs + timeoutMs) / 1000
      ? []
      : [`${grace} s does not cover preStop + drain + close`],
    settings.SHUTDOWN_DRAIN_MS === String(drainMs) ? [] : ["SHUTDOWN_DRAIN_MS is not service.json's"],
    settings.SHUTDOWN_TIMEOUT_MS === String(timeoutMs) ? [] : ["SHUTDOWN_TIMEOUT_MS is not service.json's"],
  ].flat()
}

/** The migration Job runs the app's image, is named after its tag, cleans up after itself, and is the only migrator. */
export function migrationJobIsVersioned({ migrate, app }: Release): string[] {
  const [job, ...more] = ofKind(migrate, 'Job')
  if (job === undefined || more.length > 0) return ['the migrate step is not one Job']
  const image = job.spec.template.spec.containers[0]?.image ?? ''
  // The Job's name becomes a label value (job-name): a DNS label of at most 63 characters.
  const dnsLabel = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(job.metadata.name)
  return [
    dnsLabel ? [] : [`${job.metadata.name} is not a valid Job name (lowercase, at most 63 characters)`],
    job.metadata.name === `api-migrate-${imageTag(image)}`
      ? []
      : [`${job.metadata.name} does not carry tag of ${image}`],
    job.spec.ttlSecondsAfterFinished > 0 ? [] : ['the Job has no ttlSecondsAfterFinished'],
    image === apiTemplate(app)?.spec.containers[0]?.image ? [] : ['the Job runs another image than the api'],
    apiSettings(app).DATABASE_MIGRATE_ON_START === 'false' ? [] : ['the api migrates at start too'],
  ].flat()
}
