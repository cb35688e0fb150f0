import t from 'tap'
import { readRepoJson, repoFiles } from '../src/repo.ts'

// Renovate's own validator needs the renovate package (hundreds of
// dependencies) and a network for presets: this checks what this repository
// relies on. .github/renovate.json was validated with renovate-config-validator
// and `renovate --platform=local --dry-run=extract` when it was written.
interface RenovateConfig {
  extends: string[]
  ignorePaths?: string[]
  'docker-compose': { managerFilePatterns: string[] }
  packageRules: { description?: string }[]
}
const config = readRepoJson<RenovateConfig>('.github/renovate.json')

/** A Renovate "/regex/" pattern as a RegExp. */
const regex = (pattern: string) => new RegExp(pattern.replace(/^\/(.*)\/$/, '$1'))

t.test('the recommended rules, and actions pinned to commits with their version in a comment', async (t) => {
  t.ok(config.extends.includes('config:recommended'))
  t.ok(config.extends.includes('helpers:pinGitHubActionDigestsToSemver'))
})

t.test('Renovate sees every Compose file (they are not named compose*.yml)', async (t) => {
  const patterns = config['docker-compose'].managerFilePatterns.map(regex)
  const compose = repoFiles().filter((f) => /^infra\/(compose|swarm)\/[^/]+\.ya?ml$/.test(f))
  t.ok(compose.length >= 3, 'prod, dev and the Swarm stack')
  for (const file of compose)
    t.ok(
      patterns.some((p) => p.test(file)),
      file,
    )
})

t.test('the preset still ignores test folders, so the bad fixture workflow keeps its bad pins', async (t) => {
  t.equal(config.ignorePaths, undefined, 'ignorePaths not replaced')
})

t.test('every rule says why', async (t) => {
  for (const [i, rule] of config.packageRules.entries()) t.ok(rule.description, `packageRules[${i}]`)
})
