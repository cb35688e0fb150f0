import { inspect, running } from '../../../harness/docker.ts'
import { fetchInside } from '../../../harness/http.ts'
import { run } from '../../../harness/run.ts'
import type { Stack } from '../../../harness/stack.ts'

export interface ReplicaMemory {
  id: string
  rssBytes: number
  heapUsedBytes: number
  localCacheBytes: number
  unstoredPages: number
}

const metric = (text: string, name: string) => {
  const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))]
  return values.reduce((sum, [, value]) => sum + Number(value), 0)
}

/** Each replica's own account of its memory, from its metrics port (9464, inside the container only). */
export async function replicaMemory(stack: Stack): Promise<ReplicaMemory[]> {
  const ids = await running(stack, 'api')
  return Promise.all(
    ids.map(async (id) => {
      const { body } = await fetchInside(id, 'http://127.0.0.1:9464/metrics')
      return {
        id,
        rssBytes: metric(body, 'process_resident_memory_bytes'),
        heapUsedBytes: metric(body, 'nodejs_heap_size_used_bytes'),
        localCacheBytes: metric(body, 'board_cache_local_bytes'),
        unstoredPages: metric(body, 'board_cache_unstored_total'),
      }
    }),
  )
}

/** The highest of each replica's figures over a phase, sampled until stopped. */
export function sampleMemory(stack: Stack, intervalMs = 1500) {
  const peak = new Map<string, ReplicaMemory>()
  let sampling = true
  const loop = (async () => {
    while (sampling) {
      const samples = await replicaMemory(stack).catch(() => [])
      for (const sample of samples) {
        const seen = peak.get(sample.id)
        peak.set(sample.id, {
          ...sample,
          rssBytes: Math.max(sample.rssBytes, seen?.rssBytes ?? 0),
          heapUsedBytes: Math.max(sample.heapUsedBytes, seen?.heapUsedBytes ?? 0),
          localCacheBytes: Math.max(sample.localCacheBytes, seen?.localCacheBytes ?? 0),
        })
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  })()
  return {
    async stop(): Promise<ReplicaMemory[]> {
      sampling = false
      await loop
      return [...peak.values()]
    },
  }
}

/** The same containers, never restarted, never killed for memory. */
export async function replicaLives(stack: Stack): Promise<Record<string, string>> {
  const lives: Record<string, string> = {}
  for (const id of await running(stack, 'api')) {
    const info = await inspect(id)
    lives[id] = `restarts=${info.RestartCount} oom=${info.State.OOMKilled} started=${info.State.StartedAt}`
  }
  return lives
}

/** Bytes Redis holds (INFO memory), asked as the admin user. */
export async function redisUsedBytes(stack: Stack): Promise<number> {
  const [redis] = (await running(stack, 'redis')) as [string]
  const asAdmin =
    'REDISCLI_AUTH="$(cat /run/secrets/redis_admin_password)" redis-cli --no-auth-warning --user admin INFO memory'
  const { stdout } = await run('docker', ['exec', redis, 'sh', '-c', asAdmin])
  return Number(/^used_memory:(\d+)/m.exec(stdout)?.[1])
}

export const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10
