import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'

// The monitoring configuration as the tests read it.

export const MONITORING = resolve(import.meta.dirname, '../..')
export const REPO = resolve(MONITORING, '../..')

export interface AlertRule {
  alert: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export function alertRules(): AlertRule[] {
  const file = parse(readFileSync(join(MONITORING, 'prometheus/rules/board.yml'), 'utf8'))
  return file.groups.flatMap((group: { rules: AlertRule[] }) => group.rules.filter((rule) => rule.alert))
}

export interface PanelQuery {
  panel: string
  refId: string
  expr: string
  /** Set for the panels of a row Grafana repeats by this variable. */
  repeatedBy?: string
}

// biome-ignore lint/suspicious/noExplicitAny: Grafana's dashboard JSON, checked by the tests
export type DashboardJson = any

export function committedDashboard(): DashboardJson {
  return JSON.parse(readFileSync(join(MONITORING, 'grafana/dashboards/board.gen.json'), 'utf8'))
}

/** Every query of every panel, with the variable of the row it is repeated in (panels follow their row). */
export function panelQueries(dashboard: DashboardJson): PanelQuery[] {
  const queries: PanelQuery[] = []
  let repeatedBy: string | undefined
  for (const panel of dashboard.panels) {
    if (panel.type === 'row') {
      repeatedBy = panel.repeat
      continue
    }
    for (const target of panel.targets ?? []) {
      queries.push({
        panel: panel.title,
        refId: target.refId,
        expr: target.expr,
        ...(repeatedBy && { repeatedBy }),
      })
    }
  }
  return queries
}
