import Type from 'typebox'
import { derived, optional, SettingIssue } from '../setting.ts'

/** A separate password (typically a mounted secret) is written into the URL. */
function withPassword(url: string | undefined, password: unknown): string | undefined {
  if (url === undefined || typeof password !== 'string') return url
  try {
    const parsed = new URL(url)
    parsed.password = password
    return parsed.toString()
  } catch {
    throw new SettingIssue('is not a valid URL')
  }
}

/**
 * `<NAME>_URL`: a secret, required in production (unset elsewhere, `pnpm dev`
 * embeds PGlite or keeps the cache in process), with `<NAME>_PASSWORD`
 * written into it.
 */
export const serverUrl = (name: 'DATABASE' | 'REDIS', pattern: string, doc: string) =>
  derived(
    optional(`${name}_URL`, Type.String({ pattern }), doc, { secret: true, requiredInProduction: true }),
    (url, env) => withPassword(url, env[`${name}_PASSWORD`]),
  )
