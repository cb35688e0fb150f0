import { createHmac, timingSafeEqual } from 'node:crypto'
import type { MessageCursor } from '@app/db'

/** Opaque to clients, and only valid as issued: `<payload>.<tag>`, both base64url. */
export interface CursorCodec {
  encode(position: MessageCursor): string
  /** Undefined for anything this service did not issue (forged, altered, or signed with another key). */
  decode(cursor: string): MessageCursor | undefined
}

const TAG_BYTES = 16
const POSITION = /^(\d{1,15})\.(\d{1,10})$/

/**
 * The payload is `<epoch ms>.<id>`, the tag its HMAC-SHA256 under
 * CURSOR_SECRET, truncated to 128 bits. Signing is what bounds the pages a
 * client can name: a cursor is a cache key, and only positions the service
 * handed out (one per row) can become one.
 */
export function cursorCodec(secret: string): CursorCodec {
  const tagOf = (payload: string) =>
    createHmac('sha256', secret).update(payload).digest().subarray(0, TAG_BYTES)

  return {
    encode({ createdAt, id }) {
      const payload = Buffer.from(`${createdAt.getTime()}.${id}`).toString('base64url')
      return `${payload}.${tagOf(payload).toString('base64url')}`
    },
    decode(cursor) {
      const [payload, tag, extra] = cursor.split('.')
      if (payload === undefined || tag === undefined || extra !== undefined) return undefined
      const given = Buffer.from(tag, 'base64url')
      if (given.length !== TAG_BYTES || !timingSafeEqual(given, tagOf(payload))) return undefined
      const match = POSITION.exec(Buffer.from(payload, 'base64url').toString())
      if (!match) return undefined
      const createdAt = new Date(Number(match[1]))
      const id = Number(match[2])
      if (Number.isNaN(createdAt.getTime()) || id < 1 || id > 2_147_483_647) return undefined
      return { createdAt, id }
    },
  }
}
