import { type ExecFileException, execFile } from 'node:child_process'

export interface RunResult {
  code: number
  /** stdout and stderr, in the order they were read. */
  output: string
  stdout: string
  stderr: string
}

export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  input?: string
  timeoutMs?: number
}

/** Runs a command without a shell and resolves with its exit code and output, whatever the code. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    let output = ''
    const child = execFile(
      command,
      args,
      {
        cwd: options.cwd,
        // Unset: the child inherits this process's environment.
        env: options.env,
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 120_000,
      },
      (error, stdout, stderr) => {
        const code = exitCode(error)
        resolve({ code, output: output || `${error?.message ?? ''}`, stdout, stderr })
      },
    )
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    // A command that exits without reading its input closes the pipe first (EPIPE): not an error here.
    child.stdin?.on('error', () => {})
    child.stdin?.end(options.input ?? '')
  })
}

function exitCode(error: ExecFileException | null): number {
  if (!error) return 0
  if (typeof error.code === 'number') return error.code
  // A command that is not installed has no exit code: counted as 127, like a shell does.
  return error.code === 'ENOENT' ? 127 : 1
}
