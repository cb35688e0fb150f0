import { randomBytes } from 'node:crypto'

const processTag = randomBytes(4).toString('hex')

/**
 * A prepared statement's name, unique to this process. Postgres keeps named
 * statements per session, and a session can outlive the process that prepared
 * on it: `pnpm dev`'s embedded PGlite is one session across server reloads,
 * where a fixed name failed with "prepared statement already exists".
 */
export function statementName(name: string): string {
  return `${name}_${processTag}`
}
