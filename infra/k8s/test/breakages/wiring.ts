import * as wiring from '../policy/wiring.ts'
import { type Breakage, job, pod } from './breakage.ts'

export const WIRING: Breakage[] = [
  {
    check: wiring.selectorsMatchWorkloads,
    overlay: 'prod',
    does: 'the Service selects a misspelled name',
    expect: /Service\/api selects no pod/,
    breaks: (find) => {
      find('Service', 'api').spec.selector = { 'app.kubernetes.io/name': 'apy' }
    },
  },
  {
    check: wiring.selectorsMatchWorkloads,
    overlay: 'prod',
    does: 'the migration’s egress policy selects pods no workload has',
    expect: /NetworkPolicy\/migrate-egress-postgres selects no pod/,
    breaks: (find) => {
      find('NetworkPolicy', 'migrate-egress-postgres').spec.podSelector.matchLabels[
        'app.kubernetes.io/name'
      ] = 'migrate'
    },
  },
  {
    check: wiring.servicePortsExist,
    overlay: 'dev',
    does: 'the Postgres Service targets a port name the pod lacks',
    expect: /Service\/postgres port postgres reaches no container port/,
    breaks: (find) => {
      find('Service', 'postgres').spec.ports[0].targetPort = 'pg'
    },
  },
  {
    check: wiring.ingressRoutesToApi,
    overlay: 'prod',
    does: 'the Ingress routes to a Service that does not exist',
    expect: /does not exist/,
    breaks: (find) => {
      find('Ingress', 'api').spec.rules[0].http.paths[0].backend.service.name = 'web'
    },
  },
  {
    check: wiring.secretsAreOnlyReferenced,
    overlay: 'prod',
    does: 'a Secret with its data is committed and a mounted one is undocumented',
    expect: [/Secret\/api-backends is committed/, /create the api-extra Secret/],
    breaks: (find, release) => {
      pod(job(find)).volumes.push({ name: 'extra', secret: { secretName: 'api-extra' } })
      const metadata = { name: 'api-backends', namespace: 'board' }
      release.all.push({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata,
        stringData: { 'database-url': 'postgres://…' },
      })
    },
  },
  {
    check: wiring.everythingInOneNamespace,
    overlay: 'dev',
    does: 'Redis lands in the default namespace',
    expect: /StatefulSet\/redis is in namespace default/,
    breaks: (find) => {
      find('StatefulSet', 'redis').metadata.namespace = 'default'
    },
  },
]
