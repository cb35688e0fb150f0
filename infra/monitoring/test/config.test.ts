import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import t, { type Test } from 'tap'
import { parse, stringify } from 'yaml'
import { run } from '../../harness/run.ts'
import { DATASOURCE } from '../dashboards/board.ts'
import { dashboards, render } from '../dashboards/generate.ts'
import { alertRules, committedDashboard, MONITORING, panelQueries, REPO } from './lib/files.ts'
import { GRAFANA_INTERVALS, substitute } from './lib/promql.ts'
import { shapeProblems } from './lib/sdk-shape.ts'

// The monitoring configuration, offline: promtool and amtool accept it, every
// alert has unit tests both ways, the dashboard JSON is what its TypeScript
// generates and has the SDK's shape, and the facts repeated between files agree.

const path = (...parts: string[]) => join(MONITORING, ...parts)
// merge: prod.yml's services share x-hardening through `<<:`.
const yamlFile = async (file: string) => parse(await readFile(file, 'utf8'), { merge: true })

async function tool(t: Test, command: string, args: string[]) {
  const result = await run(command, args, { allowFailure: true, cwd: MONITORING })
  t.equal(result.code, 0, `${command} ${args.join(' ')}`)
  if (result.code !== 0) t.comment(`${result.stdout}\n${result.stderr}`)
  return result
}

async function haveCommand(command: string) {
  return (await run('sh', ['-c', `command -v ${command}`], { allowFailure: true })).code === 0
}

const tmp = await mkdtemp(join(tmpdir(), 'fcrtest-monitoring-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))

t.test('promtool accepts both Prometheus configurations, with their rules', async (t) => {
  for (const file of ['prometheus.yml', 'prometheus.swarm.yml']) {
    // The container reads rules from /etc/prometheus/rules: point a copy at the repository's.
    const config = await yamlFile(path('prometheus', file))
    t.same(config.rule_files, ['/etc/prometheus/rules/*.yml'], `${file} loads the mounted rules`)
    config.rule_files = [path('prometheus/rules/*.yml')]
    await writeFile(join(tmp, file), stringify(config))
    const result = await tool(t, 'promtool', ['check', 'config', join(tmp, file)])
    t.match(result.stdout, /SUCCESS: 10 rules found/, `${file}: the rules were checked too`)
  }
})

t.test('the Compose and Swarm configurations differ only in the name they resolve', async (t) => {
  const compose = await yamlFile(path('prometheus/prometheus.yml'))
  const swarm = await yamlFile(path('prometheus/prometheus.swarm.yml'))
  const api = (config: typeof compose) =>
    config.scrape_configs.find((job: { job_name: string }) => job.job_name === 'api')
  t.same(api(compose).dns_sd_configs, [{ names: ['api'], type: 'A', port: 9464, refresh_interval: '10s' }])
  t.same(api(swarm).dns_sd_configs[0].names, ['tasks.api'])
  api(swarm).dns_sd_configs[0].names = ['api']
  t.ok(isDeepStrictEqual(compose, swarm), 'otherwise equal')
  t.same(
    compose.scrape_configs.map((job: { job_name: string }) => job.job_name),
    ['api', 'prometheus', 'alertmanager'],
    'scrapes every replica, itself and Alertmanager',
  )
})

t.test('promtool checks the rules and runs their unit tests', async (t) => {
  await tool(t, 'promtool', ['check', 'rules', path('prometheus/rules/board.yml')])
  const result = await tool(t, 'promtool', ['test', 'rules', path('prometheus/tests/board.test.yml')])
  t.match(result.stdout, /SUCCESS/)
})

t.test('every alert has a unit test that fires it and one that keeps it silent', async (t) => {
  const tests = (await yamlFile(path('prometheus/tests/board.test.yml'))).tests as {
    alert_rule_test: { alertname: string; exp_alerts: unknown[] }[]
  }[]
  const cases = tests.flatMap((test) => test.alert_rule_test)
  for (const { alert } of alertRules()) {
    const own = cases.filter((c) => c.alertname === alert)
    t.ok(
      own.some((c) => c.exp_alerts.length > 0),
      `${alert} fires in a test`,
    )
    t.ok(
      own.some((c) => c.exp_alerts.length === 0),
      `${alert} stays silent in a test`,
    )
  }
})

t.test('every alert has a severity, a summary and a runbook in the README', async (t) => {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8')
  const anchors = new Set(
    [...readme.matchAll(/^#{2,6} (.+)$/gm)].map(([, title]) =>
      (title as string)
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  )
  for (const rule of alertRules()) {
    t.match(rule.labels?.severity, /^(critical|warning)$/, `${rule.alert}: severity`)
    t.ok(rule.annotations?.summary, `${rule.alert}: summary`)
    const anchor = rule.annotations?.runbook?.replace(/^README\.md#/, '') ?? ''
    t.ok(anchors.has(anchor), `${rule.alert}: README.md has a heading for #${anchor}`)
  }
})

t.test('amtool accepts the Alertmanager configuration', async (t) => {
  if (!(await haveCommand('amtool'))) {
    // .ci/run installs it (prometheus-alertmanager); elsewhere it may be missing.
    if (process.env.CI) t.fail('amtool is missing (Debian package prometheus-alertmanager)')
    else t.plan(0, 'amtool is not installed (apt-get install prometheus-alertmanager)')
    return
  }
  const result = await tool(t, 'amtool', ['check-config', path('alertmanager/alertmanager.yml')])
  t.match(result.stdout, /SUCCESS/)
  const config = await yamlFile(path('alertmanager/alertmanager.yml'))
  t.equal(config.route.receiver, 'operator', 'the default route goes to the documented receiver')
})

t.test('the committed dashboard JSON is what dashboards/board.ts generates', async (t) => {
  for (const [file, build] of Object.entries(dashboards)) {
    const committed = await readFile(path('grafana/dashboards', file), 'utf8')
    t.equal(committed, render(build()), `${file} is up to date (pnpm --filter @app/infra dashboards)`)
  }
  const check = await run('node', [path('dashboards/generate.ts'), '--check'], { allowFailure: true })
  t.equal(check.code, 0, 'dashboards/generate.ts --check agrees')
})

t.test("the dashboard has the SDK's shape: only its properties, all the required ones", async (t) => {
  const dashboard = committedDashboard()
  const problems = shapeProblems(dashboard, 'dashboard', 'Dashboard', 'dashboard')
  for (const variable of dashboard.templating.list) {
    problems.push(...shapeProblems(variable, 'dashboard', 'VariableModel', `variable ${variable.name}`))
  }
  for (const panel of dashboard.panels) {
    const where = `panel ${panel.id} (${panel.title})`
    problems.push(...shapeProblems(panel.gridPos, 'dashboard', 'GridPos', `${where} gridPos`))
    if (panel.type === 'row') {
      problems.push(...shapeProblems(panel, 'dashboard', 'RowPanel', where))
      continue
    }
    problems.push(...shapeProblems(panel, 'dashboard', 'Panel', where))
    problems.push(...shapeProblems(panel.datasource, 'common', 'DataSourceRef', `${where} datasource`))
    problems.push(...shapeProblems(panel.options, 'timeseries', 'Options', `${where} options`))
    problems.push(
      ...shapeProblems(panel.fieldConfig, 'dashboard', 'FieldConfigSource', `${where} fieldConfig`),
    )
    problems.push(
      ...shapeProblems(panel.fieldConfig.defaults, 'dashboard', 'FieldConfig', `${where} defaults`),
    )
    problems.push(
      ...shapeProblems(panel.fieldConfig.defaults.custom, 'timeseries', 'FieldConfig', `${where} custom`),
    )
    for (const target of panel.targets) {
      problems.push(...shapeProblems(target, 'prometheus', 'Dataquery', `${where} target ${target.refId}`))
    }
  }
  t.same(problems, [], 'no unknown or missing properties')
})

t.test('the dashboard holds together: ids, grid, datasource, variables, the panels asked for', async (t) => {
  const dashboard = committedDashboard()
  const ids = dashboard.panels.map((panel: { id: number }) => panel.id)
  t.equal(new Set(ids).size, ids.length, 'panel ids are unique')
  const cells = new Set<string>()
  let overlaps = 0
  for (const { gridPos: g, title } of dashboard.panels) {
    t.ok(g.x >= 0 && g.x + g.w <= 24, `${title} fits the 24-column grid`)
    for (let x = g.x; x < g.x + g.w; x++)
      for (let y = g.y; y < g.y + g.h; y++) {
        if (cells.has(`${x},${y}`)) overlaps++
        cells.add(`${x},${y}`)
      }
  }
  t.equal(overlaps, 0, 'no two panels overlap')

  const provisioned = (await yamlFile(path('grafana/provisioning/datasources/prometheus.yml'))).datasources[0]
  t.same(
    DATASOURCE,
    { type: provisioned.type, uid: provisioned.uid },
    'panels name the provisioned datasource',
  )
  const prometheus = await yamlFile(path('prometheus/prometheus.yml'))
  t.equal(
    provisioned.jsonData.timeInterval,
    prometheus.global.scrape_interval,
    "the datasource's interval is the scrape interval",
  )

  const variables = new Set(dashboard.templating.list.map((v: { name: string }) => v.name))
  const rows = dashboard.panels.filter((panel: { type: string }) => panel.type === 'row')
  t.ok(
    rows.some((row: { repeat?: string }) => row.repeat === 'instance'),
    'a row repeats per replica ($instance)',
  )
  for (const row of rows)
    if (row.repeat) t.ok(variables.has(row.repeat), `row ${row.title} repeats a defined variable`)
  for (const query of panelQueries(dashboard)) {
    for (const [, name = ''] of query.expr.matchAll(/\$\{?(\w+)/g)) {
      t.ok(
        variables.has(name) || name in GRAFANA_INTERVALS,
        `${query.panel}/${query.refId}: $${name} is defined`,
      )
    }
    if (query.expr.includes('$instance'))
      t.equal(query.repeatedBy, 'instance', `${query.panel} is in the repeated row`)
  }
  const titles = dashboard.panels.map((panel: { title: string }) => panel.title)
  for (const title of [
    'Request rate',
    'Error ratio',
    'Latency by route (p50, p95, p99)',
    'Cache hit ratio',
    'Postgres pool saturation',
    'Write queue depth',
    'Redis and Postgres health',
    'Memory',
    'Event-loop delay',
  ]) {
    t.ok(titles.includes(title), `panel: ${title}`)
  }
  for (const panel of dashboard.panels)
    if (panel.type !== 'row') t.ok(panel.description, `${panel.title} says what it plots`)
})

t.test(
  'every panel query parses (promtool, as recording rules, with the variables substituted)',
  async (t) => {
    const queries = panelQueries(committedDashboard())
    const rules = {
      groups: [
        {
          name: 'panels',
          rules: queries.map((query, i) => ({
            record: `panel:query_${i}`,
            expr: substitute(query.expr, { instance: '10.0.0.1:9464' }),
          })),
        },
      ],
    }
    await writeFile(join(tmp, 'panels.yml'), stringify(rules))
    const result = await tool(t, 'promtool', ['check', 'rules', join(tmp, 'panels.yml')])
    t.match(result.stdout, new RegExp(`SUCCESS: ${queries.length} rules found`), `${queries.length} queries`)
  },
)

t.test("the alerts' memory limit is the api's in prod.yml, stack.yml and the dashboard", async (t) => {
  const memory = alertRules().find((rule) => rule.alert === 'BoardMemoryNearLimit')
  t.match(memory?.expr, /\(256 \* 1024 \* 1024\)/)
  const prod = await yamlFile(join(REPO, 'infra/compose/prod.yml'))
  t.equal(prod.services.api.mem_limit, '256m', 'prod.yml')
  const swarm = await yamlFile(join(REPO, 'infra/swarm/stack.yml'))
  t.equal(swarm.services.api.deploy.resources.limits.memory, '256M', 'stack.yml')
  t.match(
    await readFile(path('dashboards/board.ts'), 'utf8'),
    /MEMORY_LIMIT_BYTES = 256 \* 1024 \* 1024/,
    'board.ts',
  )
})

t.test(
  'the monitoring profile: hardened services, Prometheus beside the replicas, Grafana on loopback',
  async (t) => {
    const prod = await yamlFile(join(REPO, 'infra/compose/prod.yml'))
    for (const name of ['prometheus', 'alertmanager', 'grafana']) {
      const service = prod.services[name]
      t.same(service.profiles, ['monitoring'], `${name} is in the monitoring profile only`)
      t.equal(service.read_only, true, `${name} is read-only`)
      t.same(service.cap_drop, ['ALL'], `${name} drops every capability`)
      t.notMatch(String(service.user), /^(0|root)?(:|$)/, `${name} runs as ${service.user}`)
      t.ok(service.mem_limit && service.cpus && service.pids_limit, `${name} is limited`)
      t.ok(service.healthcheck?.test, `${name} has a healthcheck`)
    }
    t.notOk(prod.services.prometheus.ports, 'Prometheus publishes no port')
    t.notOk(prod.services.alertmanager.ports, 'Alertmanager publishes no port')
    t.match(
      prod.services.grafana.ports,
      [/^127\.0\.0\.1:\$\{GRAFANA_PORT:-3001\}:3000$/],
      'Grafana on loopback only',
    )
    t.ok(
      prod.services.api.networks.includes('metrics') && prod.services.prometheus.networks.includes('metrics'),
    )
    t.equal(prod.networks.metrics.internal, true, 'the metrics network is internal')
    t.equal(
      prod.services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD__FILE,
      '/run/secrets/grafana_admin_password',
    )
    for (const [name, service] of Object.entries<{ profiles?: string[] }>(prod.services)) {
      if (!['prometheus', 'alertmanager', 'grafana'].includes(name))
        t.notOk(service.profiles, `${name} runs without the profile`)
    }
  },
)

t.test('the Swarm monitoring stack file is valid laid over stack.yml', async (t) => {
  if (!(await haveCommand('docker-compose')) && !(await haveCommand('docker')))
    return t.plan(0, 'no compose CLI')
  const v2 = (await run('docker', ['compose', 'version'], { allowFailure: true })).code === 0
  const [command, ...prefix] = v2 ? ['docker', 'compose'] : ['docker-compose']
  const files = ['-f', join(REPO, 'infra/swarm/stack.yml'), '-f', join(REPO, 'infra/swarm/monitoring.yml')]
  const result = await run(command as string, [...prefix, ...files, 'config'], { allowFailure: true })
  t.equal(result.code, 0, `${command} ${prefix.join(' ')} config`)
  const config = parse(result.stdout)
  t.same(
    Object.keys(config.services.api.networks ?? {}).sort(),
    ['backend', 'edge', 'metrics'],
    'api joins metrics',
  )
  const promConfig = await yamlFile(path('prometheus/prometheus.swarm.yml'))
  t.equal(promConfig.scrape_configs[0].dns_sd_configs[0].names[0], 'tasks.api')
})
