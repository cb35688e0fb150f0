import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { waitReady } from '../../harness/board.ts'
import { inspect, waitHealthy } from '../../harness/docker.ts'
import { hostFetch, startLoad } from '../../harness/http.ts'
import { run, seconds, sleep, waitFor } from '../../harness/run.ts'
import { createStack, freePort, ONE_ADDRESS_LOAD, type Stack } from '../../harness/stack.ts'
import { alertRules, committedDashboard, type PanelQuery, panelQueries, REPO } from './lib/files.ts'
import { type Probe, startProbe } from './lib/probe.ts'
import { absentArgument, metricNames, splitThreshold, substitute } from './lib/promql.ts'

// The monitoring profile on the production stack, live: three replicas behind
// the proxy, Prometheus and Alertmanager (Grafana cannot run on the machine
// .ci/run uses: no image of it can be had there, so its service is left out
// by naming the others; its dashboard is proved through its queries). Traffic
// goes through the proxy; then every dashboard query and every alert's signal
// is evaluated against the live Prometheus, and a stopped replica must reach
// Alertmanager as ApiReplicaMissing.

const SERVICES = ['proxy', 'prometheus', 'alertmanager']

/**
 * Counters with labels have no series until they first count: on a healthy
 * stack, nothing is shed. For these the test asks Prometheus's metadata API
 * instead, which proves every replica exposes the name (# HELP, # TYPE).
 */
const UNCOUNTED_ON_A_HEALTHY_STACK: Record<string, string> = {
  board_load_shed_total: 'no request is shed on a healthy stack',
}

interface Live {
  stack: Stack
  proxyUrl: string
  probe?: Probe
  up: boolean
}

// biome-ignore lint/suspicious/noExplicitAny: Prometheus API JSON
type Json = any

const PROMETHEUS = 'http://prometheus:9090'
const ALERTMANAGER = 'http://alertmanager:9093'
const queryUrl = (expr: string) => `${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(expr)}`

async function instant(live: Live, exprs: string[]): Promise<Json[][]> {
  const replies = await (live.probe as Probe).getJson(exprs.map(queryUrl))
  return replies.map((reply, i) => {
    if (reply.status !== 'success') throw new Error(`${exprs[i]}: ${JSON.stringify(reply)}`)
    return reply.data.result
  })
}

async function comesUp(t: Test, live: Live) {
  const build = await seconds(() => live.stack.compose(['build'], { timeoutMs: 900_000 }))
  t.comment(`compose build: ${build.seconds} s`)
  const up = await seconds(async () => {
    await live.stack.compose(['up', '-d', '--scale', 'api=3', ...SERVICES], { timeoutMs: 180_000 })
    await waitReady(live.proxyUrl, 120_000)
    await waitHealthy(live.stack, 'api', 3, 90_000)
    await waitHealthy(live.stack, 'prometheus', 1, 60_000)
    await waitHealthy(live.stack, 'alertmanager', 1, 60_000)
  })
  t.comment(`up to healthy (3 api, prometheus, alertmanager): ${up.seconds} s`)
  t.same(await live.stack.containers('grafana'), [], 'grafana is not started (no image here)')
  live.up = true
}

async function hardenedAndUnpublished(t: Test, live: Live) {
  for (const service of ['prometheus', 'alertmanager']) {
    const [id] = await live.stack.containers(service)
    const info = await inspect(id as string)
    t.notMatch(info.Config.User, /^(|0|root)(:.*)?$/, `${service} runs as ${info.Config.User}`)
    t.equal(info.HostConfig.ReadonlyRootfs, true, `${service}: read-only root`)
    t.same(info.HostConfig.CapDrop, ['ALL'], `${service}: no capabilities`)
    t.ok(info.HostConfig.Memory > 0, `${service}: memory limit ${info.HostConfig.Memory}`)
    t.same(
      Object.keys(info.NetworkSettings.Ports ?? {}).filter((p) => info.NetworkSettings.Ports[p]),
      [],
      `${service}: no published port`,
    )
    const networks = Object.keys(info.NetworkSettings.Networks)
    t.ok(
      networks.every((n) => /_(metrics|monitoring)$/.test(n)),
      `${service} only on ${networks.join(', ')}`,
    )
  }
}

async function scrapesEveryReplica(t: Test, live: Live) {
  const replicas = await live.stack.containers('api')
  const expected = await Promise.all(
    replicas.map(
      async (id) =>
        `${(await inspect(id)).NetworkSettings.Networks[`${live.stack.project}_metrics`].IPAddress}:9464`,
    ),
  )
  const targets = await waitFor('three api targets up, and prometheus and alertmanager', 60_000, async () => {
    const [reply] = await (live.probe as Probe).getJson([`${PROMETHEUS}/api/v1/targets?state=active`])
    const active = reply.data.activeTargets as Json[]
    const up = (job: string) => active.filter((target) => target.labels.job === job && target.health === 'up')
    return up('api').length === 3 && up('prometheus').length === 1 && up('alertmanager').length === 1
      ? active
      : undefined
  })
  const api = targets
    .filter((target: Json) => target.labels.job === 'api')
    .map((target: Json) => target.labels.instance)
  t.same(
    api.sort(),
    expected.sort(),
    'the api targets are the three replicas (their metrics-network addresses)',
  )
  const [alertmanagers] = await (live.probe as Probe).getJson([`${PROMETHEUS}/api/v1/alertmanagers`])
  t.equal(alertmanagers.data.activeAlertmanagers.length, 1, 'Prometheus sends alerts to the Alertmanager')
}

/** Reads and writes through the proxy, kept up while Prometheus scrapes. */
async function sendTraffic(t: Test, live: Live) {
  const base = live.proxyUrl
  for (let i = 0; i < 20; i++) {
    const posted = await hostFetch(`${base}/api/messages`, {
      method: 'POST',
      body: { content: `monitoring ${i}` },
    })
    t.equal(posted.status, 201, `message ${i} posted`, { diagnostic: posted.status !== 201 })
    await hostFetch(`${base}/api/visits`, { method: 'POST', body: {} })
  }
  t.equal(
    (await hostFetch(`${base}/api/no-such-route`)).status,
    404,
    'an unknown route (the unmatched label)',
  )
  const load = startLoad([`${base}/api/messages`, `${base}/api/visits`, `${base}/api/messages?limit=5`], 2)
  // Until every replica has served traffic across two scrapes: rate() needs two samples.
  await waitFor('every replica with a request rate', 90_000, async () => {
    const [result] = await instant(live, [
      'count(sum by (instance) (rate(board_http_request_duration_seconds_count{job="api"}[1m])) > 0)',
    ])
    return result?.[0]?.value[1] === '3' ? true : undefined
  })
  // One more scrape for the cache and pool gauges.
  await sleep(11_000)
  return load
}

async function everyPanelQueryHasSeries(t: Test, live: Live) {
  const queries = panelQueries(committedDashboard())
  const [instancesResult] = await instant(live, ['up{job="api"} == 1'])
  const instances = (instancesResult as Json[]).map((series) => series.metric.instance as string).sort()
  t.equal(instances.length, 3, `$instance takes ${instances.join(', ')}`)
  // Panels of the repeated row once per replica, as Grafana repeats them.
  const evaluations = queries.flatMap((query): { query: PanelQuery; instance?: string }[] =>
    query.repeatedBy ? instances.map((instance) => ({ query, instance })) : [{ query }],
  )
  const exprs = evaluations.map(({ query, instance }) => substitute(query.expr, instance ? { instance } : {}))
  let results = await instant(live, exprs)
  // A panel that came up empty gets another scrape or two before it fails.
  for (let retry = 0; retry < 3 && results.some((r) => r.length === 0); retry++) {
    await sleep(10_000)
    results = await instant(live, exprs)
  }
  for (const [i, { query, instance }] of evaluations.entries()) {
    const series = results[i] as Json[]
    t.ok(
      series.length > 0,
      `${query.panel} / ${query.refId}${instance ? ` ($instance=${instance})` : ''}: ${series.length} series`,
      {
        expr: exprs[i],
      },
    )
  }
  t.comment(
    `${evaluations.length} panel queries evaluated (${queries.length} queries, the repeated row's for each of 3 replicas)`,
  )
}

/**
 * An alert's expression is empty on a healthy stack, which proves nothing.
 * What is evaluated is its signal: the expression without the comparison to
 * its threshold (`A > 0.05` → `A`; both sides when the threshold is itself a
 * query; absent(X) → X). The signal must return series, and the whole
 * expression must evaluate without error. Where a signal is empty only
 * because a counter has never counted (UNCOUNTED_ON_A_HEALTHY_STACK), the
 * metadata API must know the metric from the replicas.
 */
async function everyAlertSignalHasSeries(t: Test, live: Live) {
  const rules = alertRules()
  const full = await instant(
    live,
    rules.map((rule) => rule.expr),
  )
  let signals = 0
  for (const [i, rule] of rules.entries()) {
    t.comment(`${rule.alert}: the whole expression returns ${(full[i] as Json[]).length} series now`)
    const split = splitThreshold(rule.expr)
    const parts = split.length === 1 ? [absentArgument(split[0]) ?? split[0]] : [split[0], split[2]]
    const sides = parts.filter((part) => !/^[\d.e+-]+$/.test(part))
    const results = await instant(live, sides)
    for (const [j, side] of sides.entries()) {
      signals++
      const series = results[j] as Json[]
      if (series.length > 0) {
        t.pass(`${rule.alert}: ${side} → ${series.length} series`)
        continue
      }
      const uncounted = metricNames(side).filter((name) => name in UNCOUNTED_ON_A_HEALTHY_STACK)
      if (uncounted.length === 0) {
        t.fail(`${rule.alert}: ${side} returns no series`)
        continue
      }
      t.pass(`${rule.alert}: ${side} is empty: ${uncounted.join(', ')} never counted yet`)
      for (const name of uncounted) {
        const [metadata] = await (live.probe as Probe).getJson([
          `${PROMETHEUS}/api/v1/targets/metadata?metric=${name}`,
        ])
        const replicas = new Set((metadata.data as Json[]).map((entry) => entry.target.instance))
        t.equal(
          replicas.size,
          3,
          `${rule.alert}: ${name} is exposed by all 3 replicas, no samples yet (${UNCOUNTED_ON_A_HEALTHY_STACK[name]})`,
        )
      }
    }
    t.ok(metricNames(rule.expr).length > 0, `${rule.alert} selects at least one metric`)
  }
  t.comment(`${rules.length} alerts, ${signals} signal expressions evaluated`)
  const [firing] = await instant(live, ['ALERTS{alertstate="firing"}'])
  t.same(
    (firing as Json[]).map((series) => series.metric.alertname),
    [],
    'a healthy stack fires no alert',
  )
}

async function aStoppedReplicaReachesAlertmanager(t: Test, live: Live) {
  const replicas = await live.stack.containers('api')
  const victim = replicas[2] as string
  const stop = await seconds(() => run('docker', ['stop', victim]))
  t.comment(`docker stop of replica 3: ${stop.seconds} s`)
  const started = Date.now()
  const [inPrometheus] = await instant(live, ['count(up{job="api"} == 1)'])
  t.comment(`api targets up right after the stop: ${inPrometheus?.[0]?.value[1]}`)
  const received = await waitFor('ApiReplicaMissing in Alertmanager', 180_000, async () => {
    const filter = encodeURIComponent('alertname="ApiReplicaMissing"')
    const [alerts] = await (live.probe as Probe).getJson([
      `${ALERTMANAGER}/api/v2/alerts?filter=${filter}&active=true`,
    ])
    return (alerts as Json[]).length > 0 ? (alerts as Json[]) : undefined
  })
  t.comment(`stop to Alertmanager: ${Math.round((Date.now() - started) / 1000)} s after the replica stopped`)
  t.equal(received.length, 1, 'Alertmanager holds one ApiReplicaMissing')
  t.equal(received[0].labels.severity, 'warning')
  t.equal(received[0].status.state, 'active', 'active (not silenced or inhibited)')
  t.same(
    received[0].receivers.map((r: Json) => r.name),
    ['operator'],
    'routed to the default receiver',
  )
  const [up] = await instant(live, ['count(up{job="api"} == 1)'])
  t.equal(up?.[0]?.value[1], '2', 'the two other replicas are still scraped')
  t.equal((await hostFetch(`${live.proxyUrl}/api/visits`)).status, 200, 'the proxy still serves')
}

const started = Date.now()
const port = await freePort()
const secretsDir = await mkdtemp(join(tmpdir(), 'fcrtest-secrets-'))
t.teardown(() => rm(secretsDir, { recursive: true, force: true }))
await run(join(REPO, 'infra/scripts/generate-secrets.sh'), [secretsDir])
// Grafana's, unless generate-secrets.sh wrote it (it does not yet): made here.
await writeFile(join(secretsDir, 'grafana_admin_password'), randomBytes(32).toString('hex'), {
  mode: 0o644,
  flag: 'wx',
}).catch((error) => {
  if (error.code !== 'EEXIST') throw error
})
const stack = await createStack(t, {
  file: join(REPO, 'infra/compose/prod.yml'),
  env: {
    HTTP_PORT: String(port),
    SECRETS_DIR: secretsDir,
    ...ONE_ADDRESS_LOAD,
    COMPOSE_PROFILES: 'monitoring',
  },
  builtImages: { API_IMAGE: 'api', APP_REDIS_IMAGE: 'redis' },
})
const live: Live = { stack, proxyUrl: `http://127.0.0.1:${port}`, up: false }
t.comment(`compose project ${stack.project}, proxy at ${live.proxyUrl}`)
t.teardown(() => live.probe?.remove())

let load: ReturnType<typeof startLoad> | undefined
t.teardown(() => load?.stop())
type Step = (t: Test, live: Live) => Promise<unknown>
const steps: [string, Step][] = [
  ['prod.yml with the monitoring profile comes up: 3 replicas, proxy, Prometheus, Alertmanager', comesUp],
  ['Prometheus and Alertmanager are hardened and publish no port', hardenedAndUnpublished],
  [
    'Prometheus scrapes the three replicas, itself and Alertmanager',
    async (t, live) => {
      live.probe = await startProbe(`${live.stack.project}_monitoring`, live.stack.env.API_IMAGE as string)
      await scrapesEveryReplica(t, live)
    },
  ],
  [
    'traffic through the proxy reaches every replica and is scraped',
    async (t, live) => {
      load = await sendTraffic(t, live)
    },
  ],
  ['every dashboard panel query returns series', everyPanelQueryHasSeries],
  ["every alert's signal returns series, and a healthy stack fires none", everyAlertSignalHasSeries],
  [
    'a stopped replica fires ApiReplicaMissing, which reaches Alertmanager',
    async (t, live) => {
      const result = await load?.stop()
      load = undefined
      t.same(result?.failures.slice(0, 5) ?? [], [], `the load got only 200s (${result?.ok} requests)`)
      await aStoppedReplicaReachesAlertmanager(t, live)
    },
  ],
]
for (const [index, [name, step]] of steps.entries()) {
  t.test(name, async (t) => {
    if (index > 0 && !live.up) return t.fail('the stack did not come up (the first step)')
    await step(t, live)
  })
}
t.teardown(() => {
  console.log(`# monitoring live test: ${Math.round((Date.now() - started) / 1000)} s`)
})
