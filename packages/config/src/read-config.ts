import Value from 'typebox/value'
import { ConfigError, type ConfigIssue } from './config-error.ts'
import { nonEmpty, resolveSecretFiles } from './secret-files.ts'
import { type ConfigOf, flatten, type Setting, SettingIssue, type SettingsTree } from './setting.ts'
import { settings } from './settings/index.ts'

export type Config = ConfigOf<typeof settings>

type RawEnv = Record<string, string | undefined>

/**
 * Reads and validates the environment against `settings`. Returns a frozen,
 * typed config or throws one ConfigError that lists every invalid variable.
 */
export function readConfig(env: RawEnv = process.env): Config {
  return readSettings(settings, env)
}

/**
 * The same for a part of `settings` (include `env` when a setting depends on
 * NODE_ENV): an entry point that needs only the database, such as the
 * migration job, is not made to set what only the server uses.
 */
export function readSettings<T extends SettingsTree>(tree: T, env: RawEnv = process.env): ConfigOf<T> {
  const entries = flatten(tree)
  const issues: ConfigIssue[] = []
  const resolved = resolveSecretFiles(
    env,
    entries.map(({ setting }) => setting).filter((s) => s.secret),
    issues,
  )
  const production = nonEmpty(resolved.NODE_ENV) === 'production'

  // One variable at a time, so every bad one is named (TypeBox stops collecting after a few).
  const parsed: Record<string, unknown> = {}
  for (const { setting } of entries) {
    const raw = nonEmpty(resolved[setting.variable])
    if (raw === undefined && setting.requiredInProduction && production) {
      issues.push({ variable: setting.variable, message: 'required in production' })
      continue
    }
    const value =
      raw === undefined ? Value.Default(setting.schema, undefined) : Value.Convert(setting.schema, raw)
    if (value === undefined && setting.optional) continue
    const [error] = Value.Errors(setting.schema, value)
    if (error === undefined) parsed[setting.variable] = value
    else issues.push({ variable: setting.variable, message: `${error.message}${allowedValues(error)}` })
  }
  if (issues.length === 0) {
    const config = build(tree, parsed, issues)
    if (issues.length === 0) return deepFreeze(config) as ConfigOf<T>
  }
  throw new ConfigError(firstIssuePerVariable(issues))
}

function build(tree: SettingsTree, parsed: Record<string, unknown>, issues: ConfigIssue[]): object {
  return Object.fromEntries(
    Object.entries(tree).map(([key, node]) => [
      key,
      'derive' in node
        ? derive(node as Setting, parsed, issues)
        : build(node as SettingsTree, parsed, issues),
    ]),
  )
}

function derive(setting: Setting, parsed: Record<string, unknown>, issues: ConfigIssue[]): unknown {
  try {
    return setting.derive(parsed[setting.variable], parsed)
  } catch (error) {
    if (!(error instanceof SettingIssue)) throw error
    issues.push({ variable: setting.variable, message: error.message })
    return undefined
  }
}

function allowedValues(error: { keyword: string; params: object }): string {
  const { params } = error
  return error.keyword === 'enum' && 'allowedValues' in params && Array.isArray(params.allowedValues)
    ? ` (one of: ${params.allowedValues.join(', ')})`
    : ''
}

function firstIssuePerVariable(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>()
  return issues.filter((issue) => !seen.has(issue.variable) && seen.add(issue.variable))
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child)
  }
  return Object.freeze(value)
}
