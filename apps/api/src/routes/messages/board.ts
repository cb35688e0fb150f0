import type { CacheGroup } from '@app/cache'
import type { Config } from '@app/config'
import type { MessageRow, MessageWriter } from '@app/db'
import type { Static } from 'typebox'
import type { CursorCodec } from '../../cursor.ts'
import type { Message } from '../../schemas/messages.ts'

/** What the message operations share. */
export interface Board {
  config: Config
  /** The list's pages, versioned by the board's revision. */
  listCache: CacheGroup
  writeMessage: MessageWriter
  /** Signed list cursors: only issued ones are accepted. */
  cursors: CursorCodec
  /**
   * After a commit: leaves the new first page in the cache and raises the
   * list's revision (`CacheGroup.publish`), so the next read through any
   * replica has the change and hits. Concurrent callers share one read, sent
   * after each of them arrived. Never throws; `revision` (the writer's own,
   * when known, else read again) is raised if the page cannot be read.
   */
  publishFirstPage(revision: number | undefined): Promise<void>
}

/** The cache key of a page: its size and the cursor it starts after. */
export const pageKey = (limit: number, cursor: string | undefined) => `${limit}:${cursor ?? ''}`

export function toMessage(row: Pick<MessageRow, 'id' | 'content' | 'createdAt'>): Static<typeof Message> {
  return { id: row.id, content: row.content, createdAt: row.createdAt.toISOString() }
}
