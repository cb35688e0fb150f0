import { createHash, randomBytes } from 'node:crypto'
import Type from 'typebox'
import { derived, optional, SettingIssue } from '../setting.ts'

export const cursors = {
  // Only cursors this service issued are accepted, so a client cannot name
  // pages (and cache entries) of its own choosing.
  secret: derived(
    optional(
      'CURSOR_SECRET',
      Type.String({ minLength: 32 }),
      'Key that signs the list cursors (at least 32 characters); every replica needs the same one',
      { secret: true, requiredInProduction: true },
    ),
    (value) => value ?? randomBytes(32).toString('hex'),
    'required in production; else random per process',
  ),
}

export interface AdminToken {
  /** What the logs name: the line's `id:`, or a digest of the token. */
  id: string
  token: string
}

const TOKEN_LINE = /^(?:([A-Za-z0-9._-]{1,64}):)?(\S{32,})$/

function parseTokens(value: string | undefined): AdminToken[] {
  const lines = (value ?? '').split(/\r?\n/).map((line) => line.trim())
  return lines
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = TOKEN_LINE.exec(line)
      if (!match) throw new SettingIssue('each line is `id:token` or a token, of at least 32 characters')
      const token = match[2] as string
      const digest = createHash('sha256').update(token).digest('hex').slice(0, 12)
      return { id: match[1] ?? `sha256:${digest}`, token }
    })
}

export const admin = {
  tokens: derived(
    optional(
      'ADMIN_TOKEN',
      Type.String({ minLength: 1 }),
      'Bearer tokens allowed to moderate (`DELETE /api/messages/{id}`), one per line as `id:token` (the id is what the logs name); several at once for rotation. Unset: every deletion is refused',
      { secret: true },
    ),
    parseTokens,
    'none',
  ),
}

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/

export const cors = {
  origins: derived(
    optional(
      'CORS_ORIGINS',
      Type.String(),
      'Origins (`https://host[:port]`, comma-separated) whose pages may call the API from a browser; unset: none (same-origin only)',
    ),
    (value) => {
      const origins = (value ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean)
      const bad = origins.find((origin) => !ORIGIN.test(origin))
      if (bad !== undefined) throw new SettingIssue(`not an origin: ${JSON.stringify(bad)}`)
      return origins
    },
    'none',
  ),
}
