import * as security from '../policy/security.ts'
import * as workloads from '../policy/workloads.ts'
import { api, type Breakage, job, pod } from './breakage.ts'

export const WORKLOADS: Breakage[] = [
  {
    check: workloads.probesUseRealRoutes,
    overlay: 'prod',
    does: 'readiness GETs a route the api does not serve',
    expect: /does not serve/,
    breaks: (find) => {
      api(find).readinessProbe.httpGet.path = '/healthz'
    },
  },
  {
    check: workloads.probesUseRealRoutes,
    overlay: 'prod',
    does: 'liveness GETs readiness (a real route, not service.json’s)',
    expect: /not service.json's \/health\/live/,
    breaks: (find) => {
      api(find).livenessProbe.httpGet.path = '/health/ready'
    },
  },
  {
    check: workloads.portsMatchServiceFacts,
    overlay: 'prod',
    does: 'the http container port moves to 8080',
    expect: /container port http is 8080/,
    breaks: (find) => {
      api(find).ports[0].containerPort = 8080
    },
  },
  {
    check: workloads.everyContainerIsBounded,
    overlay: 'prod',
    does: 'the migration Job loses its limits',
    expect: /container migrate has no cpu request or limit/,
    breaks: (find) => {
      delete pod(job(find)).containers[0].resources.limits
    },
  },
  {
    check: workloads.everyContainerIsBounded,
    overlay: 'dev',
    does: 'Redis requests more memory than its limit',
    expect: /requests more memory/,
    breaks: (find) => {
      pod(find('StatefulSet', 'redis')).containers[0].resources.requests.memory = '1Gi'
    },
  },
  {
    check: security.podsMeetRestrictedStandard,
    overlay: 'prod',
    does: 'the api keeps its capabilities and may escalate',
    expect: [/does not drop ALL capabilities/, /allowPrivilegeEscalation is not false/],
    breaks: (find) => {
      api(find).securityContext = { readOnlyRootFilesystem: true, allowPrivilegeEscalation: true }
    },
  },
  {
    check: security.podsMeetRestrictedStandard,
    overlay: 'dev',
    does: 'Postgres mounts a hostPath, joins the host network and drops seccomp',
    expect: [/hostNetwork/, /hostPath volume/, /seccomp/],
    breaks: (find) => {
      const spec = pod(find('StatefulSet', 'postgres'))
      spec.hostNetwork = true
      spec.volumes.push({ name: 'host', hostPath: { path: '/var/lib' } })
      delete spec.securityContext.seccompProfile
    },
  },
  {
    check: security.podsMeetRestrictedStandard,
    overlay: 'prod',
    does: 'the migration runs as root',
    expect: [/runAsNonRoot is not true/, /uid 0/],
    breaks: (find) => {
      Object.assign(pod(job(find)).securityContext, { runAsNonRoot: false, runAsUser: 0 })
    },
  },
  {
    check: security.podsMeetRestrictedStandard,
    overlay: 'dev',
    does: 'Redis unmasks /proc, runs AppArmor-unconfined and sets a sysctl',
    expect: [/unmasks \/proc/, /AppArmor-unconfined/, /sets sysctl net.core.somaxconn/],
    breaks: (find) => {
      const spec = pod(find('StatefulSet', 'redis'))
      Object.assign(spec.containers[0].securityContext, {
        procMount: 'Unmasked',
        appArmorProfile: { type: 'Unconfined' },
      })
      spec.securityContext.sysctls = [{ name: 'net.core.somaxconn', value: '1024' }]
    },
  },
  {
    check: security.rootFilesystemsAreReadOnly,
    overlay: 'dev',
    does: 'Redis writes to its root filesystem and to an unbounded emptyDir',
    expect: [/writable root filesystem/, /no sizeLimit/],
    breaks: (find) => {
      const spec = pod(find('StatefulSet', 'redis'))
      spec.containers[0].securityContext.readOnlyRootFilesystem = false
      delete spec.volumes.find((v: { name: string }) => v.name === 'acl').emptyDir.sizeLimit
    },
  },
  {
    check: security.apiRunsAsServiceUser,
    overlay: 'prod',
    does: 'the api runs as another uid with a token',
    expect: [/not uid\/gid 1000\/1000/, /mounts a token/],
    breaks: (find) => {
      Object.assign(pod(find('Deployment', 'api')), { automountServiceAccountToken: true })
      pod(find('Deployment', 'api')).securityContext.runAsUser = 1001
    },
  },
  {
    check: workloads.imagesArePinned,
    overlay: 'prod',
    does: 'the api runs `latest` and the migration an untagged image',
    expect: [/api:latest/, /has no tag/],
    breaks: (find) => {
      api(find).image = 'ghcr.io/example/fastify-compose-reference/api:latest'
      pod(job(find)).containers[0].image = 'ghcr.io/example/fastify-compose-reference/api'
    },
  },
  {
    check: workloads.imagesArePinned,
    overlay: 'dev',
    does: 'Postgres runs an image release/ does not set',
    expect: /postgres:16 is not set by overlays\/dev\/release/,
    breaks: (find) => {
      pod(find('StatefulSet', 'postgres')).containers[0].image = 'postgres:16'
    },
  },
]
