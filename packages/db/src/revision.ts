import type { Database } from './database.ts'
import { statementName } from './statement-name.ts'

const READ = { name: statementName('board_revision'), text: 'select revision from board_revision' }

/**
 * The board's revision: it grows with every committed change to messages
 * (a trigger bumps it in the changing transaction), so a value read after a
 * commit is at least that commit's.
 */
export async function readBoardRevision(db: Database): Promise<number> {
  const { rows } = await db.$client.query<{ revision: string }>(READ)
  return Number(rows[0]?.revision ?? 0)
}
