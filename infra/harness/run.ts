import { execFile, execFileSync } from 'node:child_process'

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  input?: string
  /** Resolve with the exit code instead of throwing when it is not 0. */
  allowFailure?: boolean
  timeoutMs?: number
}

/** Runs a command without a shell; throws with its output when it fails. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 600_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        const result = { code, stdout, stderr }
        if (code === 0 || options.allowFailure) return resolve(result)
        const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n')
        reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`))
      },
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

/** For exit handlers, where nothing asynchronous runs any more. */
export function runSync(command: string, args: string[], env?: NodeJS.ProcessEnv): void {
  try {
    execFileSync(command, args, { env: env ?? process.env, stdio: 'ignore', timeout: 120_000 })
  } catch {
    // best effort: the caller is already cleaning up after a failure
  }
}

export async function seconds<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now()
  const value = await work()
  return { value, seconds: Math.round((performance.now() - started) / 100) / 10 }
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** Polls until `check` returns a value other than undefined, or throws after the deadline. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    await sleep(500)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`)
}
