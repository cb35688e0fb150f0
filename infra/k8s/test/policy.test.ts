import t from 'tap'
import { OVERLAYS, render } from './helpers/render.ts'
import { PROPERTIES } from './policy/index.ts'

// Each property of policy/ on each overlay as rendered (the migration Job and
// the app together). policy-negative.test.ts shows each one can fail.

for (const overlay of OVERLAYS) {
  t.test(`overlays/${overlay}`, async (t) => {
    const release = await render(overlay)
    for (const { says, check, overlays = OVERLAYS } of PROPERTIES) {
      if (overlays.includes(overlay)) t.same(check(release), [], says)
    }
  })
}
