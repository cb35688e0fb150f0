import * as network from '../policy/network.ts'
import { type Breakage, policy } from './breakage.ts'

const anyNamespace = { namespaceSelector: {} }

export const NETWORK: Breakage[] = [
  {
    check: network.defaultDenyCoversEverything,
    overlay: 'prod',
    does: 'the default deny forgets egress',
    expect: /no policy denies all ingress and egress/,
    breaks: (find) => {
      policy(find, 'default-deny').policyTypes = ['Ingress']
    },
  },
  {
    check: network.defaultDenyCoversEverything,
    overlay: 'dev',
    does: 'the default deny selects only the api',
    expect: /no policy denies all/,
    breaks: (find) => {
      policy(find, 'default-deny').podSelector = { matchLabels: { 'app.kubernetes.io/name': 'api' } }
    },
  },
  {
    check: network.apiIngressOnlyFromControllerAndMonitoring,
    overlay: 'prod',
    does: 'any namespace may reach the api',
    expect: /the api admits \{"namespaceSelector":\{\}\}/,
    breaks: (find) => {
      policy(find, 'api-ingress').ingress.push({ from: [anyNamespace], ports: [{ port: 'http' }] })
    },
  },
  {
    check: network.apiIngressOnlyFromControllerAndMonitoring,
    overlay: 'prod',
    does: 'monitoring reaches the http port instead of metrics',
    expect: /monitoring reaches ports 3000/,
    breaks: (find) => {
      policy(find, 'api-ingress').ingress[1].ports = [{ port: 'http', protocol: 'TCP' }]
    },
  },
  {
    check: network.apiIngressOnlyFromControllerAndMonitoring,
    overlay: 'dev',
    does: 'a rule with no ports and no sources is added',
    expect: /the api admits \{\}/,
    breaks: (find) => {
      policy(find, 'api-ingress').ingress.push({})
    },
  },
  {
    check: network.backendsOnlyFromApiAndMigrate,
    overlay: 'dev',
    does: 'every pod of the namespace may reach Postgres',
    expect: /StatefulSet\/postgres admits \{"podSelector":\{\}\}/,
    breaks: (find) => {
      policy(find, 'postgres-ingress').ingress[0].from.push({ podSelector: {} })
    },
  },
  {
    check: network.backendsOnlyFromApiAndMigrate,
    overlay: 'dev',
    does: 'Redis is open to other namespaces and on every port',
    expect: [/redis is open on ports/, /admits \{"namespaceSelector":\{\}\}/],
    breaks: (find) => {
      policy(find, 'redis-ingress').ingress.push({ from: [anyNamespace] })
    },
  },
  {
    check: network.egressIsNarrow,
    overlay: 'prod',
    does: 'the api may reach the whole internet on any port',
    expect: [/may reach any address/, /may reach any port/],
    breaks: (find) => {
      policy(find, 'api-egress-backends').egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] })
    },
  },
]
