import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import type { Teardown } from '@app/testing'
import { freePort } from './processes.ts'

const run = promisify(execFile)

export type FsyncPolicy = 'everysec' | 'always'

export async function hasRedisServer(): Promise<boolean> {
  return run('redis-server', ['--version']).then(
    () => true,
    () => false,
  )
}

/**
 * A redis-server of the bench's own with the append-only file on and `policy`
 * as its fsync, in a temporary directory: what the production Redis does
 * (infra/redis/redis.conf, REDIS_APPENDFSYNC), on this machine's disk.
 */
export async function startRedisWithAof(cleanup: Teardown, policy: FsyncPolicy): Promise<string> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), `bench-redis-${policy}-`))
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'].concat(
      ['--appendfsync', policy],
    ),
    { stdio: 'ignore' },
  )
  cleanup.teardown(() => {
    child.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  })
  for (let i = 0; i < 100; i++) {
    const ok = await run('redis-cli', ['-p', String(port), 'ping']).then(
      ({ stdout }) => stdout.trim() === 'PONG',
      () => false,
    )
    if (ok) return `redis://127.0.0.1:${port}`
    await sleep(50)
  }
  throw new Error(`redis-server (appendfsync ${policy}) did not start`)
}
