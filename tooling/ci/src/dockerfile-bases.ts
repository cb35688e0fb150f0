/** A FROM whose image has no explicit tag or digest, neither itself nor through its ARG's default. */
export interface UntaggedBase {
  line: number
  from: string
  problem: string
}

const tagged = (image: string) => /@sha256:[0-9a-f]{64}$/.test(image) || /:[^/]+$/.test(image)

/**
 * What hadolint's DL3006 checks, reading ARG defaults as it does not: each
 * FROM names a tagged image, an earlier stage, scratch, or an ARG whose
 * default is a tagged image (ARG NODE_IMAGE=node:24-bookworm-slim).
 */
export function untaggedBases(dockerfile: string): UntaggedBase[] {
  const defaults = new Map<string, string>()
  const stages = new Set<string>()
  const found: UntaggedBase[] = []
  dockerfile.split('\n').forEach((text, index) => {
    const arg = /^\s*ARG\s+(\w+)(?:=(\S*))?/i.exec(text)
    if (arg?.[1]) defaults.set(arg[1], (arg[2] ?? '').replace(/^["']|["']$/g, ''))
    const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(text)
    if (!from?.[1]) return
    const image = from[1]
    const variable = /^\$\{?(\w+)\}?$/.exec(image)?.[1]
    const resolved = variable ? (defaults.get(variable) ?? '') : image
    if (from[2]) stages.add(from[2])
    if (image === 'scratch' || stages.has(image) || tagged(resolved)) return
    const problem = variable
      ? `ARG ${variable} has no tagged default (${resolved || 'none'})`
      : 'no tag or digest'
    found.push({ line: index + 1, from: image, problem })
  })
  return found
}
