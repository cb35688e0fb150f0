import type { Overlay, Release } from '../helpers/render.ts'
import * as availability from './availability.ts'
import * as network from './network.ts'
import * as security from './security.ts'
import * as wiring from './wiring.ts'
import * as workloads from './workloads.ts'

/** A property of the rendered manifests: the problems found, none when it holds. */
export type Check = (release: Release) => string[]

export interface Property {
  says: string
  check: Check
  overlays?: Overlay[]
}

/** What the issue asks of every overlay (or of those named), as the policy test checks it. */
export const PROPERTIES: Property[] = [
  {
    says: 'probes GET the health routes of service.json, which openapi.json serves',
    check: workloads.probesUseRealRoutes,
  },
  {
    says: 'ports, metrics port and scrape annotations are service.json’s',
    check: workloads.portsMatchServiceFacts,
  },
  { says: 'images are tagged releases set in release/, never latest', check: workloads.imagesArePinned },
  { says: 'every container requests and limits cpu and memory', check: workloads.everyContainerIsBounded },
  {
    says: 'every pod meets the restricted Pod Security Standard',
    check: security.podsMeetRestrictedStandard,
  },
  {
    says: 'root filesystems are read-only, scratch space bounded',
    check: security.rootFilesystemsAreReadOnly,
  },
  { says: 'the api and the migration run as uid 1000 without a token', check: security.apiRunsAsServiceUser },
  {
    says: 'production runs at least three api pods',
    check: availability.prodRunsThreeReplicas,
    overlays: ['prod'],
  },
  { says: 'a rollout never lowers capacity (maxUnavailable 0)', check: availability.rolloutKeepsCapacity },
  { says: 'a disruption budget covers exactly the api', check: availability.disruptionBudgetCoversApi },
  { says: 'an autoscaling/v2 autoscaler scales the api on cpu', check: availability.autoscalerTargetsApi },
  { says: 'api pods spread across nodes and zones', check: availability.spreadsAcrossNodesAndZones },
  { says: 'the grace period covers preStop, drain and close', check: availability.gracePeriodCoversDrain },
  {
    says: 'the migration Job is named after its release and expires',
    check: availability.migrationJobIsVersioned,
  },
  { says: 'a default-deny policy covers every pod, both ways', check: network.defaultDenyCoversEverything },
  {
    says: 'only the ingress controller reaches the api, only monitoring its metrics',
    check: network.apiIngressOnlyFromControllerAndMonitoring,
  },
  {
    says: 'only the api and the migration reach Postgres and Redis',
    check: network.backendsOnlyFromApiAndMigrate,
  },
  { says: 'egress always names its destinations and ports', check: network.egressIsNarrow },
  { says: 'every selector selects pods that exist', check: wiring.selectorsMatchWorkloads },
  { says: 'every Service port reaches a container port', check: wiring.servicePortsExist },
  { says: 'the Ingress routes to a Service port that exists', check: wiring.ingressRoutesToApi },
  { says: 'secrets are referenced, never committed', check: wiring.secretsAreOnlyReferenced },
  {
    says: 'everything is in the board namespace, which enforces restricted',
    check: wiring.everythingInOneNamespace,
  },
]
