import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { run } from '../../../harness/run.ts'
import { createStack, freePort, ONE_ADDRESS_LOAD, REPO, type Stack } from '../../../harness/stack.ts'

/** prod.yml as the README runs it, in a Compose project of its own on a free port. */
export interface ProdStack {
  stack: Stack
  proxyUrl: string
  secretsDir: string
  /** How many migrations the journal holds: each must be recorded exactly once. */
  migrations: number
  /** `up -d --scale api=3`, as the README says. */
  up(): Promise<void>
  /** Runs infra/scripts/<name> against this stack. */
  script(name: string, args: string[]): Promise<unknown>
  /** Set once the stack came up; the other steps need it. */
  isUp: boolean
}

/** `env` overrides the stack's variables (the hostile suite sets its own limits). */
export async function createProdStack(t: Test, env: Record<string, string> = {}): Promise<ProdStack> {
  const port = await freePort()
  const secretsDir = await mkdtemp(join(tmpdir(), 'fcrtest-secrets-'))
  t.teardown(() => rm(secretsDir, { recursive: true, force: true }))
  await run(join(REPO, 'infra/scripts/generate-secrets.sh'), [secretsDir])
  const stack = await createStack(t, {
    file: join(REPO, 'infra/compose/prod.yml'),
    env: { HTTP_PORT: String(port), SECRETS_DIR: secretsDir, ...ONE_ADDRESS_LOAD, ...env },
    builtImages: { API_IMAGE: 'api', APP_REDIS_IMAGE: 'redis' },
  })
  const journal = JSON.parse(await readFile(join(REPO, 'packages/db/migrations/meta/_journal.json'), 'utf8'))
  return {
    stack,
    proxyUrl: `http://127.0.0.1:${port}`,
    secretsDir,
    migrations: journal.entries.length,
    async up() {
      await stack.compose(['up', '-d', '--scale', 'api=3'], { timeoutMs: 120_000 })
    },
    script: (name, args) =>
      run(join(REPO, 'infra/scripts', name), args, { env: stack.env, cwd: REPO, timeoutMs: 300_000 }),
    isUp: false,
  }
}

/** A step that needs the stack fails, rather than passes vacuously, when it never came up. */
export function needsStack(t: Test, prod: ProdStack): boolean {
  if (!prod.isUp) t.fail('the stack did not come up (the first step)')
  return prod.isUp
}
