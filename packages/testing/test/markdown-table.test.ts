import { execFileSync } from 'node:child_process'
import t from 'tap'
import { markdownTable } from '../src/index.ts'

const table = markdownTable(
  ['Fault', 'Lost', 'Recovered in'],
  [
    ['replica SIGKILL', 0, '0.2 s'],
    ['Postgres restart', 12, '6.1 s'],
  ],
)

t.test('columns are padded to the widest cell', async (t) => {
  t.same(table.split('\n'), [
    '| Fault            | Lost | Recovered in |',
    '| ---------------- | ---- | ------------ |',
    '| replica SIGKILL  | 0    | 0.2 s        |',
    '| Postgres restart | 12   | 6.1 s        |',
  ])
})

t.test('Biome leaves the table as it is, so a written report passes lint', async (t) => {
  const formatted = execFileSync('biome', ['format', '--stdin-file-path=report.md'], {
    input: `${table}\n`,
    encoding: 'utf8',
  })
  t.equal(formatted, `${table}\n`)
})
