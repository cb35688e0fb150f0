import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { withConfigTable } from '../src/index.ts'

/** `pnpm config:table`: rewrites the root README's configuration table from the settings. */
const readme = resolve(import.meta.dirname, '../../../README.md')
writeFileSync(readme, withConfigTable(readFileSync(readme, 'utf8')))
console.log('wrote the configuration table in README.md')
