import { chmod, copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { run } from './run.ts'
import { REPO } from './stack.ts'

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * A throwaway copy of the checkout as git sees it (tracked and untracked files,
 * without ignored ones), for tests that edit sources: the real checkout is never
 * touched, even when a test is interrupted.
 */
export async function copyRepo(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fcrtest-repo-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  // Readable by the dev container's user (1000), like a usual checkout.
  await chmod(dir, 0o755)
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO,
  })
  for (const file of stdout.split('\0').filter(Boolean)) {
    const from = join(REPO, file)
    const exists = await stat(from).then(
      (s) => s.isFile(),
      () => false,
    )
    if (!exists) continue
    await mkdir(dirname(join(dir, file)), { recursive: true })
    await copyFile(from, join(dir, file))
  }
  return dir
}
