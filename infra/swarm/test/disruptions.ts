import { setTimeout as sleep } from 'node:timers/promises'
import type { FaultWindow } from '../../faults/matrix/measure.ts'
import { waitFor } from '../../harness/run.ts'
import type { Cluster, SwarmNode } from './cluster.ts'
import { runningTasks, STACK, type Task, waitTasks } from './deploy.ts'

/** What one disruption did: when it began and ended, and where the api tasks ran after it. */
export interface Disrupted {
  name: string
  window: FaultWindow
  /** From the command to the api service converged (its tasks running and healthy where they should). */
  convergedMs: number
  /** Where the api tasks ran once it converged, e.g. { node1: 2, node2: 1 }. */
  placement: Record<string, number>
  /** Anything else measured, for the report (e.g. how long the manager took to mark a node Down). */
  notes: string[]
}

export interface Disruption {
  name: string
  /** Does it, waits until the api service converged, and returns its tasks then. */
  run(cluster: Cluster, notes: string[]): Promise<Task[]>
}

const api = `${STACK}_api`
const byName = (cluster: Cluster, name: string) =>
  cluster.nodes.find((node) => node.name === name) as SwarmNode

/** Nodes that are gone (killed) or drained: no task should run there. */
const away = new Set<string>()

/** `docker service update --image` to the same image under a new tag (on every node), forced: every task replaced. */
export function rollTo(image: string, apiImage: string): Disruption {
  return {
    name: 'api rolled to a new image (service update --image --force)',
    async run(cluster, notes) {
      await Promise.all(
        cluster.nodes
          .filter((node) => !away.has(node.name))
          .map((node) => node.docker(['tag', apiImage, image])),
      )
      await cluster.swarm([
        'service',
        'update',
        '--detach',
        '--force',
        '--no-resolve-image',
        '--image',
        image,
        api,
      ])
      const started = Date.now()
      const tasks = await waitTasks(cluster, 'api', 3, { image, gone: [...away] })
      notes.push(`every task on the new image after ${((Date.now() - started) / 1000).toFixed(1)} s`)
      // `completed` comes once the last task has been watched for `monitor` (30 s): the
      // next disruption must not land inside it, or its failure would roll the update back.
      await waitFor('the update completed', 120_000, async () => {
        const { stdout } = await cluster.swarm([
          'service',
          'inspect',
          '--format',
          '{{.UpdateStatus.State}}',
          api,
        ])
        if (stdout.trim().startsWith('rollback')) throw new Error(`the update rolled back: ${stdout.trim()}`)
        return stdout.trim() === 'completed' ? true : undefined
      })
      return tasks
    },
  }
}

/** The worker still there that runs the most api tasks (a start-first roll can leave one with none). */
async function busiestWorker(cluster: Cluster): Promise<{ name: string; tasks: number }> {
  const running = await runningTasks(cluster, 'api', [...away])
  const workers = cluster.nodes.slice(1).filter((node) => !away.has(node.name))
  const counted = workers.map((node) => ({
    name: node.name,
    tasks: running.filter((task) => task.node === node.name).length,
  }))
  counted.sort((x, y) => y.tasks - x.tasks)
  const [busiest] = counted
  if (!busiest) throw new Error('no worker left')
  return busiest
}

/** The container of the worker running the most api tasks killed: its tasks must run elsewhere. */
export function killWorker(): Disruption {
  return {
    name: 'a worker killed (docker kill of its container)',
    async run(cluster, notes) {
      const { name, tasks } = await busiestWorker(cluster)
      const started = Date.now()
      await cluster.kill(byName(cluster, name))
      away.add(name)
      notes.push(`${name} killed, with ${tasks} api task(s) on it`)
      await waitFor(`${name} Down`, 120_000, async () => {
        const { stdout } = await cluster.swarm(['node', 'inspect', '--format', '{{.Status.State}}', name])
        return stdout.trim() === 'down' ? true : undefined
      })
      notes.push(`the manager marked ${name} Down after ${((Date.now() - started) / 1000).toFixed(1)} s`)
      return waitTasks(cluster, 'api', 3, { gone: [...away] })
    },
  }
}

/** `docker node update --availability drain` of the worker left, then active again once its tasks moved. */
export function drainWorker(): Disruption {
  return {
    name: 'the other worker drained',
    async run(cluster, notes) {
      const { name, tasks: before } = await busiestWorker(cluster)
      await cluster.swarm(['node', 'update', '--availability', 'drain', name])
      away.add(name)
      const tasks = await waitTasks(cluster, 'api', 3, { gone: [...away] })
      await cluster.swarm(['node', 'update', '--availability', 'active', name])
      away.delete(name)
      notes.push(
        `${name} drained, with ${before} api task(s) on it; made active again afterwards (Swarm does not move running tasks back)`,
      )
      return tasks
    },
  }
}

/** `docker service scale`. */
export function scaleTo(replicas: number): Disruption {
  return {
    name: `api scaled to ${replicas}`,
    async run(cluster) {
      await cluster.swarm(['service', 'scale', '--detach', `${api}=${replicas}`])
      return waitTasks(cluster, 'api', replicas, { gone: [...away] })
    },
  }
}

/** Each disruption in turn under the running load, with a few quiet seconds around each. */
export async function disrupt(cluster: Cluster, disruptions: Disruption[]): Promise<Disrupted[]> {
  const done: Disrupted[] = []
  for (const disruption of disruptions) {
    const start = Date.now()
    await sleep(2000)
    const injected = Date.now()
    const notes: string[] = []
    const tasks = await disruption.run(cluster, notes)
    const recovered = Date.now()
    await sleep(2000)
    const placement: Record<string, number> = {}
    for (const task of tasks) placement[task.node] = (placement[task.node] ?? 0) + 1
    done.push({
      name: disruption.name,
      window: { start, injected, healed: injected, recovered, end: Date.now() },
      convergedMs: recovered - injected,
      placement,
      notes,
    })
  }
  return done
}
