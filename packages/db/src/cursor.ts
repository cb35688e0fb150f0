/** Where the next page starts: the last row of the previous one. */
export interface MessageCursor {
  createdAt: Date
  id: number
}

/** Opaque to clients: base64url of `<epoch ms>.<id>`. */
export function encodeCursor(cursor: MessageCursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}.${cursor.id}`).toString('base64url')
}

/** Returns undefined for anything `encodeCursor` could not have produced. */
export function decodeCursor(value: string): MessageCursor | undefined {
  const match = /^(\d{1,15})\.(\d{1,10})$/.exec(Buffer.from(value, 'base64url').toString())
  if (!match) return undefined
  const createdAt = new Date(Number(match[1]))
  const id = Number(match[2])
  if (Number.isNaN(createdAt.getTime()) || id < 1 || id > 2_147_483_647) return undefined
  return { createdAt, id }
}
