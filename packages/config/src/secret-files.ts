import { readFileSync } from 'node:fs'
import type { ConfigIssue } from './config-error.ts'
import type { Setting } from './setting.ts'

type RawEnv = Record<string, string | undefined>

/**
 * Replaces each `<NAME>_FILE` of a secret setting by the file's content under
 * `<NAME>`, the way Docker and Compose secrets are mounted. Values are never
 * echoed in issues.
 */
export function resolveSecretFiles(env: RawEnv, secrets: Setting[], issues: ConfigIssue[]): RawEnv {
  const resolved: RawEnv = { ...env }
  for (const { variable: name } of secrets) {
    const file = nonEmpty(env[`${name}_FILE`])
    if (file === undefined) continue
    if (nonEmpty(env[name]) !== undefined) {
      issues.push({ variable: name, message: `set either ${name} or ${name}_FILE, not both` })
      continue
    }
    try {
      resolved[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
      issues.push({ variable: `${name}_FILE`, message: `cannot read ${file} (${code})` })
    }
  }
  return resolved
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}
