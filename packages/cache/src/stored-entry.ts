import { createHash } from 'node:crypto'

/** A cached JSON document as stored: its bytes, a validator of them, and when it expires. */
export interface StoredEntry {
  json: string
  /** A strong HTTP entity tag of `json` (quoted), e.g. `"Xr2s…"`: equal only for equal bytes. */
  etag: string
  /** Epoch milliseconds, from the clock of the process that stored it. */
  expiresAt: number
}

/**
 * A hash of the bytes, not a counter: it cannot repeat for other content after
 * Redis loses its keys (a restart from an older AOF, a flush), as a version number could.
 */
export function jsonEtag(json: string): string {
  return `"${createHash('sha1').update(json).digest('base64url').slice(0, 22)}"`
}

export function createEntry(json: string, ttlMs: number, now = Date.now()): StoredEntry {
  return { json, etag: jsonEtag(json), expiresAt: now + ttlMs }
}

/** `<expiresAt>\n<etag>\n<json>`: the json is sent on as it is, never parsed. */
export function encodeEntry(entry: StoredEntry): string {
  return `${entry.expiresAt}\n${entry.etag}\n${entry.json}`
}

/** Undefined for anything else, e.g. a value written by an older release: a miss. */
export function decodeEntry(raw: string): StoredEntry | undefined {
  const first = raw.indexOf('\n')
  const second = raw.indexOf('\n', first + 1)
  if (first < 1 || second < 0) return undefined
  const expiresAt = Number(raw.slice(0, first))
  const etag = raw.slice(first + 1, second)
  if (!Number.isSafeInteger(expiresAt) || !etag.startsWith('"')) return undefined
  return { json: raw.slice(second + 1), etag, expiresAt }
}
