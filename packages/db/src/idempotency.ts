import type { Database } from './database.ts'
import { statementName } from './statement-name.ts'

/** The message an Idempotency-Key created, as it was created. */
export interface IdempotentResult {
  fingerprint: string
  message: { id: number; content: string; createdAt: Date }
}

const FIND = {
  name: statementName('idempotency_key_find'),
  text: `select fingerprint, message from idempotency_keys
    where client = $1 and key = $2 and created_at > now() - make_interval(secs => $3::double precision / 1000)`,
}

/** What `key` from `client` created within the retention, if anything. */
export async function findIdempotentResult(
  db: Database,
  { client, key, retentionMs }: { client: string; key: string; retentionMs: number },
): Promise<IdempotentResult | undefined> {
  const { rows } = await db.$client.query<{ fingerprint: string; message: Record<string, unknown> }>({
    ...FIND,
    values: [client, key, retentionMs],
  })
  const [row] = rows
  if (!row) return undefined
  const { id, content, createdAt } = row.message as { id: number; content: string; createdAt: string }
  return { fingerprint: row.fingerprint, message: { id, content, createdAt: new Date(createdAt) } }
}

/** Deletes up to `limit` keys older than the retention; returns how many went. */
export async function deleteExpiredIdempotencyKeys(
  db: Database,
  { retentionMs, limit = 1000 }: { retentionMs: number; limit?: number },
): Promise<number> {
  const { rowCount } = await db.$client.query(
    `delete from idempotency_keys where ctid in (
      select ctid from idempotency_keys
      where created_at <= now() - make_interval(secs => $1::double precision / 1000) limit $2)`,
    [retentionMs, limit],
  )
  return rowCount ?? 0
}

/** The unique violation a reused key gets when its first use committed meanwhile. */
export function isIdempotencyKeyConflict(error: unknown): boolean {
  const failure = error as { code?: unknown; constraint?: unknown } | null
  return failure?.code === '23505' && failure.constraint === 'idempotency_keys_client_key_pk'
}
