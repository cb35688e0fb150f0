import fc, { type Arbitrary } from 'fast-check'
import type { InjectOptions } from 'fastify'

// The values the generated requests of fuzz-requests.ts are made of:
// strings attackers send, valid and invalid contents, bodies and media types.

/**
 * A generated request and, where the contract decides it, what it must get. `expect` is what
 * the documented contract says the input must get; where the outcome depends
 * on details the spec leaves open (a random string that may parse as a
 * number), it is undefined and only the invariants are checked.
 */
export interface FuzzCase {
  request: InjectOptions
  expect?: number[]
}

export const OK = [200]
export const BAD = [400]
export const MAX_CONTENT = 1000
export const MAX_ID = 2_147_483_647
export const BODY_LIMIT = 16_384

/** Strings attackers and unlucky users send. */
export const nasty = [
  "' OR '1'='1",
  '1; DROP TABLE messages; --',
  "' UNION SELECT NULL, version() --",
  '\\',
  '"',
  '%',
  '%00',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '&lt;&amp;&#0;',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  '${7*7}',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '0x10',
  '-0',
  '٣',
  '１２',
  '\u202e',
  '\u200b',
  '😀',
  'e\u0301',
  'שלום',
  '\r\n',
  '\t',
  ' ',
]

export const text: Arbitrary<string> = fc.oneof(
  fc.constantFrom(...nasty),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
)

/** Every byte percent-encoded (lone surrogates become U+FFFD, as a browser would send). */
export function percentEncode(value: string): string {
  return [...Buffer.from(value)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')
}

export const query = (pairs: [string, string][]) =>
  pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`

/** Query parameters no operation reads: ignored. */
export const junkPairs = fc
  .array(fc.tuple(text, text), { maxLength: 3 })
  .map((pairs) => pairs.filter(([key]) => key !== 'limit' && key !== 'cursor'))
export const rawJunkQuery = fc.constantFrom(
  '?%zz',
  '?%',
  '?&&',
  '?=',
  '?a[b]=c&a[]=1',
  '?%00=%00',
  `?${'q'.repeat(5000)}`,
)

// --- bodies ---------------------------------------------------------------

export const isContent = (s: string) =>
  s.length > 0 && [...s].length <= MAX_CONTENT && !s.includes('\u0000') && s.isWellFormed()

export const validContent = fc
  .oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
    fc.string({ unit: 'grapheme-composite', minLength: 990, maxLength: MAX_CONTENT }),
    fc.constantFrom(...nasty),
  )
  .filter(isContent)

export const invalidContent = fc.oneof(
  fc.constant(''),
  fc.integer({ min: MAX_CONTENT + 1, max: 3000 }).map((n) => '😀'.repeat(n)),
  text.map((s) => `${s}\u0000${s}`),
  text.map((s) => `${s}\ud800`),
  fc.constant('\udc00 lone low surrogate'),
)

export const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 3 }),
)

export const json = (body: unknown, contentType = 'application/json') => ({
  headers: { 'content-type': contentType },
  payload: JSON.stringify(body),
})

export const notJson = fc.oneof(
  fc.constantFrom('', '{', '{"content":', '{"content":"x"}{', "{'content':'x'}", 'nul', '[1,]', '\u0000'),
  text.filter((s) => {
    try {
      JSON.parse(s)
      return false
    } catch {
      return true
    }
  }),
)

export const otherMediaTypes = fc.constantFrom(
  'text/plain',
  'text/html',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/problem+json',
  'application/jsonx',
)

export const oversized = fc.integer({ min: BODY_LIMIT, max: 40_000 }).map((n) => 'x'.repeat(n))

/** Mutated bodies every POST must refuse the same way, whatever it expects inside. */
export const refusedBodies: Arbitrary<FuzzCase['request'] & { expect: number[] }> = fc.oneof(
  notJson.map((payload) => ({ headers: { 'content-type': 'application/json' }, payload, expect: BAD })),
  fc.tuple(otherMediaTypes, text).map(([type, payload]) => ({
    headers: { 'content-type': type },
    payload: payload || 'x',
    expect: [415],
  })),
  oversized.map((pad) => ({ ...json({ content: pad }), expect: [413] })),
  fc.constant({
    headers: { 'content-type': 'application/json' },
    payload: '{"content":"x","__proto__":{"admin":true}}',
    expect: BAD,
  }),
)
