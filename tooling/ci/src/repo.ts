import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** The repository root (tooling/ci/src → ../../..). */
export const REPO = resolve(import.meta.dirname, '../../..')

/**
 * Every file git would commit: tracked and untracked, without ignored ones,
 * relative to the root. Files deleted from the work tree are left out.
 */
export function repoFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO,
    encoding: 'utf8',
  })
  const files = new Set(listed.split('\0').filter(Boolean))
  return [...files]
    .filter((file) => existsSync(join(REPO, file)) && statSync(join(REPO, file)).isFile())
    .sort()
}

export function readRepoFile(file: string): string {
  return readFileSync(join(REPO, file), 'utf8')
}

export function readRepoJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readRepoFile(file)) as T
}

/** A POSIX shell script: named *.sh, or starting with a #! line for sh, bash, dash or ksh. */
export function isShellScript(file: string, text: string): boolean {
  if (file.endsWith('.sh')) return true
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'))
  return /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\S*\/)?(?:sh|bash|dash|ksh)(?:\s|$)/.test(firstLine)
}

/** Every shell script in the repository (its fixtures of bad scripts excepted). */
export function shellScripts(): string[] {
  return repoFiles().filter(
    (file) => !file.startsWith('tooling/ci/test/fixtures/') && isShellScript(file, readHead(file)),
  )
}

function readHead(file: string): string {
  // Binary files (images, wasm) are read as text too, but only their first line matters.
  return readRepoFile(file).slice(0, 256)
}

/** Workflow files and the repository's own actions, where every `uses:` must be pinned. */
export function workflowFiles(): string[] {
  return repoFiles().filter(
    (file) =>
      /^\.github\/workflows\/[^/]+\.ya?ml$/.test(file) || /^\.github\/actions\/.+\/action\.ya?ml$/.test(file),
  )
}
