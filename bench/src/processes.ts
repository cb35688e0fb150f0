import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

export interface Server {
  name: string
  url: string
  child: ChildProcess
  /** Milliseconds from spawn to the first 200 from the ready path. */
  coldStartMs: number
  /** Resident set size now, in MB. */
  rssMb(): number
  stop(): Promise<void>
}

export interface ServerSpec {
  name: string
  /** Arguments to `node`, e.g. the entry file. */
  args: string[]
  env: Record<string, string>
  /** Polled until it answers 200. */
  readyPath: string
  cwd: string
}

const READY_TIMEOUT_MS = 30_000

/** A port nobody listens on right now, on the loopback address. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Starts `node <args>` listening on 127.0.0.1 and waits until `readyPath` answers 200. */
export async function startServer(spec: ServerSpec): Promise<Server> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const started = performance.now()
  const child = spawn(process.execPath, spec.args, {
    cwd: spec.cwd,
    env: { PATH: process.env.PATH ?? '', ...spec.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = once(child, 'exit')

  const deadline = started + READY_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${spec.name} exited ${child.exitCode}:\n${output}`)
    const status = await fetch(`${url}${spec.readyPath}`).then(
      (response) => response.status,
      () => 0,
    )
    if (status === 200) break
    if (performance.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${spec.name} not ready within ${READY_TIMEOUT_MS} ms:\n${output}`)
    }
    await sleep(5)
  }
  const coldStartMs = performance.now() - started

  return {
    name: spec.name,
    url,
    child,
    coldStartMs,
    rssMb: () => rssMb(child.pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** VmRSS from /proc (Linux), in MB; NaN elsewhere. */
function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1])
    return kb / 1024
  } catch {
    return Number.NaN
  }
}
