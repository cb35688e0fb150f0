import Type from 'typebox'

export const ETagHeader = Type.String({
  description: 'Entity tag of this body: send it back as `If-None-Match` to get a 304 while it is current',
  examples: ['"pGm3fQx0f2k7c1u9aZ4Q1w"'],
})

export const ConditionalHeaders = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({ description: 'ETags the client holds: 304 with no body when one is current' }),
  ),
})

/** A documented 304: the same validators as the 200 and no body (`type: 'null'` means no content). */
export function notModified(description: string, headers: Record<string, unknown>) {
  return { type: 'null', description, headers } as const
}

/** What a cached JSON answer, 200 or 304, carries; `what` names the document. */
export function cachedJsonHeaders(what: string) {
  return {
    etag: ETagHeader,
    'x-cache': Type.Enum(['hit', 'miss'], {
      type: 'string',
      description: `Whether the ${what} came from the cache`,
    }),
  }
}
