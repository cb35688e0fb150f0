import t from 'tap'
import { AVAILABILITY } from './breakages/availability.ts'
import type { Breakage } from './breakages/breakage.ts'
import { NETWORK } from './breakages/network.ts'
import { WIRING } from './breakages/wiring.ts'
import { WORKLOADS } from './breakages/workloads.ts'
import { label, render } from './helpers/render.ts'
import { PROPERTIES } from './policy/index.ts'

// Every check must be able to fail: each case breaks a copy of a rendered
// overlay the way a careless edit would, and expects the check to say so.
const BREAKAGES: Breakage[] = [...WORKLOADS, ...AVAILABILITY, ...NETWORK, ...WIRING]

for (const { check, overlay, does, expect, breaks } of BREAKAGES) {
  t.test(`${check.name} catches it when ${does} (${overlay})`, async (t) => {
    // One structured clone: app, migrate and all keep sharing their objects.
    const release = structuredClone(await render(overlay))
    const find = (kind: string, name: string) => {
      const found = release.all.find((o) => o.kind === kind && o.metadata.name === name)
      if (found === undefined) throw new Error(`no ${kind}/${name} in ${release.all.map(label)}`)
      return found
    }
    breaks(find, release)
    const problems = check(release)
    for (const pattern of [expect].flat()) {
      t.ok(
        problems.some((problem) => pattern.test(problem)),
        `${pattern}: ${problems.join('; ') || 'none'}`,
      )
    }
  })
}

t.test('every property has at least one breakage that it catches', async (t) => {
  const broken = new Set(BREAKAGES.map((b) => b.check))
  for (const { says, check } of PROPERTIES) t.ok(broken.has(check), says)
})
