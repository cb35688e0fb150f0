import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { readConfig } from '@app/config'
import { buildApp } from '../src/app.ts'

/**
 * `pnpm openapi` writes the OpenAPI document the routes describe to
 * apps/api/openapi.json; `--check` instead fails when that committed file
 * differs from what the code generates, and prints the diff.
 *
 * No Postgres or Redis is needed: the pg pool connects lazily and never does
 * here, migrations are off, and without REDIS_URL the cache is in-process.
 */
const committed = resolve(import.meta.dirname, '../openapi.json')
const check = process.argv.includes('--check')

const app = await buildApp(
  readConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'postgres://openapi.invalid/none',
    DATABASE_MIGRATE_ON_START: 'false',
  }),
)
await app.ready()
// Route registration order is fixed, so plain JSON.stringify is deterministic.
const generated = `${JSON.stringify(app.swagger(), null, 2)}\n`
await app.close()

const shown = relative(resolve(import.meta.dirname, '../../..'), committed)
if (!check) {
  writeFileSync(committed, generated)
  console.log(`wrote ${shown}`)
} else {
  const current = readFileSync(committed, 'utf8')
  if (current === generated) {
    console.log(`${shown} is up to date`)
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'))
    const fresh = join(dir, 'openapi.json')
    writeFileSync(fresh, generated)
    spawnSync('diff', ['-u', '--label', `${shown} (committed)`, '--label', 'generated', committed, fresh], {
      stdio: 'inherit',
    })
    rmSync(dir, { recursive: true })
    console.error(`${shown} is out of date: run \`pnpm openapi\` and commit the result`)
    process.exitCode = 1
  }
}
