import { setTimeout as sleep } from 'node:timers/promises'
import { type BurstResult, wrkBurst } from '../../harness/burst.ts'
import { fetchInside } from '../../harness/http.ts'
import { program } from '../../harness/programs.ts'
import { run } from '../../harness/run.ts'
import type { FaultStack } from './fault-stack.ts'

export interface Fault {
  name: string
  /** How the test injects it, for docs/reliability.md. */
  how: string
  /** Injects the fault and, unless the stack heals by itself, heals it; resolves when healed. */
  inject(stack: FaultStack): Promise<FaultDetails | undefined>
}

/** What an injection measured itself (the burst's answers). */
export interface FaultDetails {
  burst?: BurstResult
}

const docker = (...args: string[]) => run('docker', args, { timeoutMs: 120_000 })

async function signalNode(stack: FaultStack, signal: 'KILL' | 'TERM'): Promise<undefined> {
  const replica = await stack.container('api')
  await run('docker', ['exec', '-i', replica, 'sh', '-s', signal], { input: program('kill-node.sh') })
}

async function paused(stack: FaultStack, service: string, ms: number): Promise<undefined> {
  const id = await stack.container(service)
  await docker('pause', id)
  await sleep(ms)
  await docker('unpause', id)
}

export const faults: Fault[] = [
  {
    name: 'api replica SIGKILLed',
    how: '`kill -KILL` of the node process inside one replica (`harness/programs/kill-node.sh`), as a crash; Docker restarts it (`restart: unless-stopped`)',
    inject: (stack) => signalNode(stack, 'KILL'),
  },
  {
    name: 'api replica SIGTERMed',
    how: '`kill -TERM` of the node process inside one replica: it turns not-ready (draining), the proxy drops it within a second, it closes after `SHUTDOWN_DRAIN_MS` and Docker starts it again',
    inject: (stack) => signalNode(stack, 'TERM'),
  },
  {
    name: 'Postgres restarted',
    how: '`docker restart` of the db container: a fast shutdown (every connection terminated), then a start',
    inject: async (stack): Promise<undefined> => {
      await docker('restart', '--time', '5', await stack.container('db'))
    },
  },
  {
    name: 'Postgres stalled 5 s',
    how: '`docker pause` of the db container for 5 s: the kernel still accepts connections, Postgres answers nothing',
    inject: (stack) => paused(stack, 'db', 5000),
  },
  {
    name: 'Redis killed, restarted (AOF)',
    how: '`docker kill` (SIGKILL) of the redis container, 2 s down, then `docker start`: it reloads its append-only file',
    inject: async (stack): Promise<undefined> => {
      const redis = await stack.container('redis')
      await docker('kill', redis)
      await sleep(2000)
      await docker('start', redis)
    },
  },
  {
    name: 'Redis restarted empty',
    how: '`docker stop` of the redis container, its data directory emptied by a throwaway container on the volume, `docker start`: a Redis that lost everything (a failover to a fresh replica)',
    inject: async (stack): Promise<undefined> => {
      const redis = await stack.container('redis')
      const { stdout: volume } = await docker(
        'inspect',
        '-f',
        '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}',
        redis,
      )
      const { stdout: image } = await docker('inspect', '-f', '{{.Config.Image}}', redis)
      await docker('stop', '--time', '5', redis)
      await docker(
        'run',
        '--rm',
        '--network',
        'none',
        '--user',
        '999:999',
        '--entrypoint',
        'sh',
        '-v',
        `${volume.trim()}:/data`,
        image.trim(),
        '-c',
        'find /data -mindepth 1 -delete',
      )
      await docker('start', redis)
    },
  },
  {
    name: 'Redis stalled 5 s',
    how: '`docker pause` of the redis container for 5 s',
    inject: (stack) => paused(stack, 'redis', 5000),
  },
  {
    name: 'Redis 50 ms slower for 8 s',
    how: '50 ms added each way on the link from the replicas to Redis for 8 s (the relay of `infra/faults/faults.yml`)',
    inject: async (stack): Promise<undefined> => {
      const relay = await stack.container('redis-link')
      await fetchInside(relay, 'http://127.0.0.1:9001/latency?ms=50')
      await sleep(8000)
      await fetchInside(relay, 'http://127.0.0.1:9001/latency?ms=0')
    },
  },
  {
    name: 'nginx reloaded 3 times',
    how: '`nginx -s reload` in the proxy container, three times, a second apart',
    inject: async (stack): Promise<undefined> => {
      const proxy = await stack.container('proxy')
      for (let i = 0; i < 3; i++) {
        await docker('exec', proxy, 'nginx', '-s', 'reload')
        await sleep(1000)
      }
    },
  },
  {
    name: 'burst: 400 connections for 5 s',
    how: 'for 5 s, wrk on the host holds 400 more connections open against `GET /api/messages` through the proxy (a new request as soon as one is answered), on top of the steady load: several times what the three replicas serve on this machine',
    inject: async (stack) => ({ burst: await wrkBurst(`${stack.proxyUrl}/api/messages?limit=20`, 5, 400) }),
  },
]
