import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import { DOCUMENTED_503 } from '../../faults/matrix/measure.ts'
import { hostFetch, type Reply, type Request } from '../../harness/http.ts'
import { program } from '../../harness/programs.ts'
import type { Cluster, SwarmNode } from './cluster.ts'
import { runningTasks, STACK, sql, type Task, taskContainer } from './deploy.ts'

/** The deployed stack, what the checks need of it. */
export interface Deployed {
  cluster: Cluster
  /** How many migrations the journal holds: each must be recorded exactly once. */
  migrations: number
}

const proxyUrl = (node: SwarmNode) => `http://127.0.0.1:${node.httpPort}`
const nodeOf = (cluster: Cluster, task: Task) =>
  cluster.nodes.find(({ name }) => name === task.node) as SwarmNode

/** A request made inside a task's container (the api has node, no curl), on its own node. */
async function fetchInTask(cluster: Cluster, task: Task, url: string, request: Request = {}): Promise<Reply> {
  const node = nodeOf(cluster, task)
  const init = {
    method: request.method ?? 'GET',
    headers: { ...(request.body !== undefined && { 'content-type': 'application/json' }) },
    ...(request.body !== undefined && { body: JSON.stringify(request.body) }),
  }
  const { stdout } = await node.docker(
    ['exec', '-i', await taskContainer(node, task), 'node', '-', url, JSON.stringify(init)],
    { input: program('fetch.cjs') },
  )
  const { status, body } = JSON.parse(stdout)
  return { status, body, headers: {}, json: () => JSON.parse(body) }
}

/**
 * POST /api/visits, sent again after Retry-After while the answer is a
 * documented 503 (a replica sheds load when the shared cores are busy), as a
 * client does.
 */
async function postVisit(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    const reply = await hostFetch(`${url}/api/visits`, { method: 'POST', body: {}, headers })
    const documented = reply.status === 503 && DOCUMENTED_503.has(reply.json().code)
    if (!documented || attempt === 10) return reply
    await sleep(1000 * Number(reply.headers['retry-after'] ?? 1))
  }
}

/** A task's address on the edge network (where the proxy reaches it). */
async function edgeAddress(cluster: Cluster, task: Task): Promise<string> {
  const { stdout } = await cluster.swarm(['inspect', task.id])
  const [inspected] = JSON.parse(stdout)
  const attachment = inspected.NetworksAttachments.find(
    (network: { Network: { Spec: { Name: string } } }) => network.Network.Spec.Name === `${STACK}_edge`,
  )
  return String(attachment.Addresses[0]).split('/')[0] as string
}

/** The three api replicas run on three different nodes; Postgres and Redis on the labelled one. */
export async function replicasSpreadOverTheNodes(t: Test, { cluster }: Deployed) {
  const api = await runningTasks(cluster, 'api')
  t.equal(api.length, 3, 'three api tasks run')
  t.same(
    [...new Set(api.map((task) => task.node))].sort(),
    cluster.nodes.map(({ name }) => name),
    'one on each node',
  )
  for (const service of ['db', 'redis']) {
    const placed = await runningTasks(cluster, service)
    t.same(
      placed.map((task) => task.node),
      [cluster.manager.name],
      `${service} runs on the node labelled board.data=true`,
    )
  }
  const proxies = await runningTasks(cluster, 'proxy')
  t.same(
    proxies.map((task) => task.node).sort(),
    cluster.nodes.map(({ name }) => name),
    'a proxy on every node',
  )
}

/**
 * Through each node's own proxy, increments reach all three replicas, two of
 * them on other nodes: the overlay network carries the proxy's requests.
 * Sent in rounds of 12 until each proxy's log shows every node, at most
 * REACH_ROUNDS: a replica's first refused connection takes it out of that
 * proxy's rotation for fail_timeout (2 s), and `docker service logs` gathers
 * the other nodes' lines with some delay, so one round can miss a node
 * though the overlay carries it.
 */
export async function everyProxyReachesEveryReplica(t: Test, { cluster }: Deployed) {
  const REACH_ROUNDS = 5
  const api = await runningTasks(cluster, 'api')
  const addresses = Object.fromEntries(
    await Promise.all(api.map(async (task) => [await edgeAddress(cluster, task), task.node] as const)),
  )
  const everyNode = cluster.nodes.map(({ name }) => name)
  const complete = (nodes: string[] = []) => nodes.join() === everyNode.join()
  let reached: Record<string, string[]> = {}
  for (let round = 1; round <= REACH_ROUNDS; round++) {
    for (const node of cluster.nodes) {
      if (complete(reached[node.name])) continue
      for (let i = 0; i < 12; i++) {
        const reply = await postVisit(`${proxyUrl(node)}`, {
          'x-request-id': `reach-${node.name}-${round}-${i}`,
        })
        if (reply.status !== 200)
          t.fail(`POST /api/visits through ${node.name}: ${reply.status} ${reply.body}`)
      }
    }
    await sleep(1000)
    const { stdout } = await cluster.swarm(['service', 'logs', '--no-trunc', `${STACK}_proxy`])
    reached = Object.fromEntries(
      cluster.nodes.map((node) => {
        const nodes = [...stdout.matchAll(/ upstream=([\d.]+):3000 .* id=reach-(node\d)-/g)]
          .filter((match) => match[2] === node.name)
          .map((match) => addresses[match[1] as string] ?? `unknown ${match[1]}`)
        return [node.name, [...new Set(nodes)].sort()]
      }),
    )
    if (Object.values(reached).every((nodes) => complete(nodes))) {
      t.comment(`every proxy reached every node in round ${round}`)
      break
    }
  }
  for (const node of cluster.nodes) {
    t.same(reached[node.name], everyNode, `${node.name}'s proxy reached the replicas on every node`)
  }
}

/** Three replicas started together, each migrating at start: every migration is recorded once. */
export async function migrationsRanExactlyOnce(t: Test, { cluster, migrations }: Deployed) {
  t.equal(
    await sql(cluster, 'select count(*) from drizzle.__drizzle_migrations'),
    String(migrations),
    `each of the ${migrations} migrations recorded exactly once`,
  )
}

/** The counter and the board are one for every replica, wherever it runs. */
export async function theCounterAndTheBoardAreShared(t: Test, { cluster }: Deployed) {
  const url = proxyUrl(cluster.manager)
  const start = (await hostFetch(`${url}/api/visits`)).json().count as number
  const counts: number[] = []
  for (let i = 0; i < 12; i++) {
    counts.push((await postVisit(url)).json().count)
  }
  t.same(
    counts,
    Array.from({ length: 12 }, (_, i) => start + i + 1),
    '12 increments through the proxy count 1 by 1 on one counter',
  )
  const api = await runningTasks(cluster, 'api')
  for (const task of api) {
    const reply = await fetchInTask(cluster, task, 'http://127.0.0.1:3000/api/visits')
    t.equal(reply.json().count, start + 12, `the replica on ${task.node} reads the same counter`)
  }
  const [first, ...others] = api as [Task, ...Task[]]
  const posted = await fetchInTask(cluster, first, 'http://127.0.0.1:3000/api/messages', {
    method: 'POST',
    body: { content: `posted on the replica on ${first.node}` },
  })
  t.equal(posted.status, 201, `a message posted on the replica on ${first.node}`)
  for (const task of others) {
    const listed = (await fetchInTask(cluster, task, 'http://127.0.0.1:3000/api/messages')).json()
    t.ok(
      listed.items.some((message: { id: number }) => message.id === posted.json().id),
      `is listed by the replica on ${task.node}`,
    )
  }
}

/**
 * Swarm replaces a task whose healthcheck fails, and readiness fails on every
 * replica while Postgres or Redis is away: the api's healthcheck must be its
 * liveness, or an outage would restart them all (the outage itself is not
 * staged here).
 */
export async function theApiHealthcheckIsLiveness(t: Test, { cluster }: Deployed) {
  const { stdout } = await cluster.swarm([
    'service',
    'inspect',
    '--format',
    '{{json .Spec.TaskTemplate.ContainerSpec.Healthcheck.Test}}',
    `${STACK}_api`,
  ])
  const test = JSON.parse(stdout).join(' ')
  t.match(test, /\/health\/live/, 'the healthcheck asks /health/live')
  t.notMatch(test, /\/health\/ready/, 'not /health/ready')
}
