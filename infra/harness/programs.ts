import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** A program of harness/programs/, to feed a container on stdin (`node -`, `sh -s`). */
export function program(name: 'fetch.cjs' | 'kill-node.sh' | 'image-probe.cjs' | 'visitor.cjs'): string {
  return readFileSync(join(import.meta.dirname, 'programs', name), 'utf8')
}
