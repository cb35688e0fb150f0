import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { relative } from 'node:path'
import { watch } from 'chokidar'

const WATCHED = /\.(ts|json|sql)$/
const IGNORED = /[\\/](node_modules|dist|test|\.tap|\.data|coverage)([\\/]|$)/

export interface Reloader {
  stop(): Promise<void>
}

/**
 * Runs `node <args>` and restarts it when a source file under `roots` changes.
 * chokidar watches directories, so it also sees editors and git replacing a
 * file by rename (which `node --watch` loses track of). A restart waits for
 * the old server to drain and exit, so the port is free for the new one.
 */
export function runWithReload(args: string[], env: NodeJS.ProcessEnv, roots: string[]): Reloader {
  let child: ChildProcess | undefined
  let stopping = false

  const start = () => {
    child = spawn(process.execPath, args, { env, stdio: 'inherit' })
    child.once('exit', (code) => {
      if (!stopping && code !== 0) console.log(`pnpm dev: server exited (${code}); waiting for a change`)
    })
  }
  const stopChild = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }

  let timer: NodeJS.Timeout | undefined
  const watcher = watch(roots, {
    ignoreInitial: true,
    ignored: (path, stats) => IGNORED.test(path) || Boolean(stats?.isFile() && !WATCHED.test(path)),
  })
  watcher.on('all', (_event, path) => {
    clearTimeout(timer)
    // Editors and git touch several files at once: restart once, after the burst.
    timer = setTimeout(async () => {
      console.log(`pnpm dev: ${relative(process.cwd(), path)} changed, restarting`)
      await stopChild()
      if (!stopping) start()
    }, 100)
  })

  start()
  return {
    async stop() {
      stopping = true
      clearTimeout(timer)
      await watcher.close()
      await stopChild()
    },
  }
}
