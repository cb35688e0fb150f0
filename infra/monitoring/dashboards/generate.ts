import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { boardDashboard } from './board.ts'

// Writes the dashboards Grafana provisions (grafana/dashboards/*.gen.json)
// from their TypeScript; with --check, writes nothing and exits 1 when a
// committed file differs from what the TypeScript generates.

export const DASHBOARDS_DIR = join(import.meta.dirname, '../grafana/dashboards')

export const dashboards = { 'board.gen.json': boardDashboard }

export function render(dashboard: unknown): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`
}

if (import.meta.main) {
  const check = process.argv.includes('--check')
  let stale = 0
  for (const [file, build] of Object.entries(dashboards)) {
    const path = join(DASHBOARDS_DIR, file)
    const generated = render(build())
    if (!check) {
      await writeFile(path, generated)
      console.log(`wrote ${path}`)
      continue
    }
    const committed = await readFile(path, 'utf8').catch(() => '')
    if (committed !== generated) {
      stale++
      console.error(
        `${path} is not what dashboards/generate.ts makes: run pnpm --filter @app/infra dashboards`,
      )
    }
  }
  process.exitCode = stale ? 1 : 0
}
