import * as availability from '../policy/availability.ts'
import { api, type Breakage, job, pod } from './breakage.ts'

export const AVAILABILITY: Breakage[] = [
  {
    check: availability.prodRunsThreeReplicas,
    overlay: 'prod',
    does: 'the autoscaler may go down to two and the Deployment asks for one',
    expect: [/minReplicas is 2/, /asks for 1/],
    breaks: (find) => {
      find('HorizontalPodAutoscaler', 'api').spec.minReplicas = 2
      find('Deployment', 'api').spec.replicas = 1
    },
  },
  {
    check: availability.rolloutKeepsCapacity,
    overlay: 'prod',
    does: 'a rollout may take a pod away first',
    expect: /maxUnavailable is 1/,
    breaks: (find) => {
      find('Deployment', 'api').spec.strategy.rollingUpdate.maxUnavailable = 1
    },
  },
  {
    check: availability.disruptionBudgetCoversApi,
    overlay: 'dev',
    does: 'the budget selects a misspelled name',
    expect: /0 disruption budgets select the api/,
    breaks: (find) => {
      find('PodDisruptionBudget', 'api').spec.selector.matchLabels['app.kubernetes.io/name'] = 'apy'
    },
  },
  {
    check: availability.disruptionBudgetCoversApi,
    overlay: 'dev',
    does: 'the budget selects every pod of the namespace',
    expect: /also selects StatefulSet\/postgres/,
    breaks: (find) => {
      find('PodDisruptionBudget', 'api').spec.selector = {}
    },
  },
  {
    check: availability.autoscalerTargetsApi,
    overlay: 'prod',
    does: 'the autoscaler targets a Deployment that does not exist',
    expect: /does not target the api Deployment/,
    breaks: (find) => {
      find('HorizontalPodAutoscaler', 'api').spec.scaleTargetRef.name = 'web'
    },
  },
  {
    check: availability.autoscalerTargetsApi,
    overlay: 'prod',
    does: 'the api requests no cpu for the autoscaler to measure against',
    expect: /requests no cpu/,
    breaks: (find) => {
      delete api(find).resources.requests.cpu
    },
  },
  {
    check: availability.spreadsAcrossNodesAndZones,
    overlay: 'prod',
    does: 'the zone constraint is gone and the node one selects other pods',
    expect: [/kubernetes.io\/hostname/, /topology.kubernetes.io\/zone/],
    breaks: (find) => {
      const spec = pod(find('Deployment', 'api'))
      spec.topologySpreadConstraints = [spec.topologySpreadConstraints[0]]
      spec.topologySpreadConstraints[0].labelSelector.matchLabels['app.kubernetes.io/name'] = 'web'
    },
  },
  {
    check: availability.gracePeriodCoversDrain,
    overlay: 'prod',
    does: 'the grace period shrinks to 15 s',
    expect: [/grace period is 15 s/, /does not cover/],
    breaks: (find) => {
      pod(find('Deployment', 'api')).terminationGracePeriodSeconds = 15
    },
  },
  {
    check: availability.gracePeriodCoversDrain,
    overlay: 'prod',
    does: 'preStop sleeps 1 s and the drain setting drifts',
    expect: [/preStop sleeps 1 s/, /SHUTDOWN_DRAIN_MS/],
    breaks: (find) => {
      api(find).lifecycle.preStop.sleep.seconds = 1
      find('ConfigMap', api(find).envFrom[0].configMapRef.name).data.SHUTDOWN_DRAIN_MS = '0'
    },
  },
  {
    check: availability.migrationJobIsVersioned,
    overlay: 'prod',
    does: 'the Job loses its version and its expiry',
    expect: [/does not carry tag/, /ttlSecondsAfterFinished/],
    breaks: (find) => {
      const migrate = job(find)
      migrate.metadata.name = 'api-migrate'
      delete migrate.spec.ttlSecondsAfterFinished
    },
  },
  {
    check: availability.migrationJobIsVersioned,
    overlay: 'prod',
    does: 'a tag with capitals and a long suffix makes an invalid Job name',
    expect: /not a valid Job name/,
    breaks: (find) => {
      const tag = `0.1.0-RC1-${'x'.repeat(60)}`
      const migrate = job(find)
      migrate.metadata.name = `api-migrate-${tag}`
      pod(migrate).containers[0].image = `ghcr.io/example/fastify-compose-reference/api:${tag}`
    },
  },
  {
    check: availability.migrationJobIsVersioned,
    overlay: 'dev',
    does: 'the app is released without its migration',
    expect: /another image than the api/,
    breaks: (find) => {
      api(find).image = 'ghcr.io/example/fastify-compose-reference/api:0.2.0'
    },
  },
]
