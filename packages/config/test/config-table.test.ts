import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import t from 'tap'
import { configTable, settings, withConfigTable } from '../src/index.ts'

const readme = readFileSync(resolve(import.meta.dirname, '../../../README.md'), 'utf8')

t.test("the README's configuration table is the one the settings produce", async (t) => {
  t.equal(withConfigTable(readme), readme, 'run `pnpm config:table` and commit the README')
})

t.test('every variable has a row with its default and meaning', async (t) => {
  const table = configTable()
  t.match(table, /\| `PORT` +\| `3000` +\| Port the server listens on +\|/)
  t.match(table, /\| `SHUTDOWN_DRAIN_MS` +\| `3000` in production, else `0` +\|/)
  t.match(table, /\| `DATABASE_URL` +\| — \(required in production\) +\|.*`DATABASE_URL_FILE`/)
  for (const group of Object.values(settings)) {
    const entries = 'variable' in group ? [group] : Object.values(group)
    for (const { variable } of entries as { variable: string }[]) t.match(table, `| \`${variable}\` `)
  }
})

t.test('a README without the markers is an error, not a silent no-op', async (t) => {
  t.throws(() => withConfigTable('# no table here'), /config-table:start/)
})
