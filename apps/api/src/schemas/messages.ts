import { MESSAGE_MAX_LENGTH } from '@app/db'
import Type from 'typebox'
import { ref } from './ref.ts'

export const Message = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    content: Type.String({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH }),
    createdAt: Type.String({ format: 'date-time', description: 'When the server stored it (UTC)' }),
  },
  { $id: 'Message', examples: [{ id: 1, content: 'Hello, board', createdAt: '2026-11-23T12:00:00.000Z' }] },
)

export const NewMessage = Type.Object(
  {
    content: Type.String({
      minLength: 1,
      maxLength: MESSAGE_MAX_LENGTH,
      // Postgres text cannot hold NUL, and a lone UTF-16 surrogate would be
      // stored as U+FFFD: reject both here rather than fail or alter the text.
      // Surrogate pairs are spelled out so the pattern means the same with or
      // without a regex engine's Unicode mode.
      pattern: '^(?:[^\\u0000\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$',
      description: `1 to ${MESSAGE_MAX_LENGTH} characters of well-formed Unicode, without NUL`,
    }),
  },
  { $id: 'NewMessage', additionalProperties: false, examples: [{ content: 'Hello, board' }] },
)

export const MessagePage = Type.Object(
  {
    items: Type.Array(ref(Message), { description: 'Newest first' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` to get the next (older) page; null on the last page',
    }),
  },
  {
    $id: 'MessagePage',
    examples: [
      {
        items: [{ id: 2, content: 'Second', createdAt: '2026-11-23T12:01:00.000Z' }],
        nextCursor: 'MTc5NTQzNTI2MDAwMC4y.sQ3Ppd1nHOsjw5hrHkLuGQ',
      },
    ],
  },
)

export const DEFAULT_PAGE_SIZE = 20

export const ListQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 100,
      default: DEFAULT_PAGE_SIZE,
      description: 'Page size',
      examples: [20],
    }),
  ),
  cursor: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{22}$',
      description: '`nextCursor` of the previous page; opaque, and signed: only an issued one is accepted',
      examples: ['MTc5NTQzNTI2MDAwMC4y.sQ3Ppd1nHOsjw5hrHkLuGQ'],
    }),
  ),
})

export const MessageParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2_147_483_647, examples: [1] }),
})
