import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { Teardown } from '@app/testing'

export interface RunningProcess {
  child: ChildProcess
  /** Everything the process printed so far. */
  output(): string
  /** Resolves with the first match of `pattern` in the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  exited(): Promise<number | null>
}

/** Runs `node <args>` in apps/api with exactly `env` (plus PATH), stopping it at teardown. */
export function startNode(t: Teardown, args: string[], env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, args, {
    cwd: new URL('../..', import.meta.url),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const waiters = new Set<() => void>()
  const append = (chunk: Buffer) => {
    output += chunk.toString()
    for (const waiter of waiters) waiter()
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  const exit = once(child, 'exit').then(([code]) => code as number | null)
  // Stop it the way an operator would, so it can stop what it started;
  // SIGKILL only if that hangs. The pipes are closed either way.
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exit
      clearTimeout(timer)
    }
    child.stdout?.destroy()
    child.stderr?.destroy()
  })

  return {
    child,
    output: () => output,
    exited: () => exit,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern)
          if (!match) return
          cleanup()
          resolve(match)
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
  }
}
