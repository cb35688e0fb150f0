import { createRequire } from 'node:module'

/** The preflight's own range logic, so tests and checks read engines.node exactly as it does. */
const preflight = createRequire(import.meta.url)('../bin/check-node-version.cjs') as {
  satisfies(version: string, range: string): boolean
  readRange(): string
  message(range: string, found: string): string
}

export const PREFLIGHT = 'tooling/ci/bin/check-node-version.cjs'
export const { satisfies, readRange } = preflight

/** The lowest version a range accepts, from its ">=" bound: ">=24 <25" → "24.0.0". */
export function lowestAccepted(range: string): string {
  const match = />=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(range)
  if (!match) throw new Error(`engines.node "${range}" has no >= lower bound`)
  return `${match[1]}.${match[2] ?? 0}.${match[3] ?? 0}`
}

export function majorOf(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? Number.NaN)
}
