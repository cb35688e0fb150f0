import { isScalar, parseAllDocuments, visit } from 'yaml'

export interface UnpinnedUse {
  line: number
  uses: string
  problem: string
}

// `uses: owner/repo[/path]@ref  # comment` on one line, as workflows write it.
const USES_LINE = /^\s*(?:-\s+)?uses:\s*(["']?)([^\s"'#]+)\1\s*(?:#\s*(.*))?$/
const COMMIT = /^[0-9a-f]{40}$/
const VERSION_COMMENT = /^v?\d+(?:\.\d+){0,2}\b/
const DIGEST = /@sha256:[0-9a-f]{64}$/

function problemOf(uses: string, comment: string | undefined): string | undefined {
  if (uses.startsWith('./')) return undefined // this repository's own action, at this commit
  if (uses.startsWith('docker://'))
    return DIGEST.test(uses) ? undefined : 'a Docker image not pinned to a digest'
  const at = uses.lastIndexOf('@')
  if (at === -1) return 'no ref at all'
  if (!COMMIT.test(uses.slice(at + 1))) return 'not pinned to a full commit SHA'
  if (!comment || !VERSION_COMMENT.test(comment))
    return 'no "# vX.Y.Z" comment naming the version of that commit'
  return undefined
}

/** How many `uses` keys the YAML holds, however they are written. */
function countUses(text: string): number {
  let count = 0
  for (const document of parseAllDocuments(text)) {
    visit(document, {
      Pair(_, pair) {
        if (isScalar(pair.key) && pair.key.value === 'uses') count++
      },
    })
  }
  return count
}

/**
 * Every `uses:` of a workflow or action file that is not pinned: a third-party
 * action must name a full commit SHA, with its version in a comment (what
 * Renovate keeps current); a Docker image a digest; local actions are fine.
 */
export function unpinnedUses(text: string): UnpinnedUse[] {
  const found: UnpinnedUse[] = []
  let seen = 0
  text.split('\n').forEach((line, index) => {
    const match = USES_LINE.exec(line)
    if (!match) return
    seen++
    const uses = match[2] ?? ''
    const problem = problemOf(uses, match[3]?.trim())
    if (problem) found.push({ line: index + 1, uses, problem })
  })
  const total = countUses(text)
  if (total !== seen)
    found.push({
      line: 0,
      uses: '',
      problem: `${total - seen} uses: written in a form this check cannot read`,
    })
  return found
}
