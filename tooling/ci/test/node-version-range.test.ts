import t from 'tap'
import { lowestAccepted, satisfies } from '../src/node-version.ts'

// The preflight reads engines.node itself (it runs before any dependency is
// installed): its range logic must agree with npm's semver on the forms used.
const cases: [version: string, range: string, expected: boolean][] = [
  ['24.0.0', '>=24 <25', true],
  ['24.22.3', '>=24 <25', true],
  ['25.0.0', '>=24 <25', false],
  ['20.20.2', '>=24 <25', false],
  ['22.22.0', '>=22.22.0', true],
  ['22.21.9', '>=22.22.0', false],
  ['24.3.0', '^24', true],
  ['25.0.0', '^24.1', false],
  ['0.5.9', '^0.5.1', true],
  ['0.6.0', '^0.5.1', false],
  ['24.0.9', '~24.0.1', true],
  ['24.1.0', '~24.0.1', false],
  ['24.9.9', '24.x', true],
  ['24.5.0', '>24', false],
  ['25.0.0', '>24', true],
  ['24.9.9', '<=24', true],
  ['12.0.0', '10.* || >= 12.*', true],
  ['11.0.0', '10.* || >= 12.*', false],
  ['24.0.0', '>= 8', true],
  ['1.0.0', '*', true],
]

t.test('the preflight reads ranges as npm does', async (t) => {
  for (const [version, range, expected] of cases) {
    t.equal(satisfies(version, range), expected, `${version} ${expected ? 'is' : 'is not'} in ${range}`)
  }
})

t.test('a pre-release Node counts as its release (npm would refuse it)', async (t) => {
  t.ok(satisfies('24.0.0-pre', '>=24 <25'), 'a Node 24 nightly is a Node 24')
})

t.test('a range it cannot read is an error, not a pass', async (t) => {
  t.throws(() => satisfies('24.0.0', '24 - 25'), /cannot read/)
  t.throws(() => satisfies('24.0.0', 'latest'), /cannot read/)
})

t.test('the lowest version a range accepts', async (t) => {
  t.equal(lowestAccepted('>=24 <25'), '24.0.0')
  t.equal(lowestAccepted('>=22.22.0'), '22.22.0')
  t.throws(() => lowestAccepted('^24'), /no >= lower bound/)
})
