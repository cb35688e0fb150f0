import fc, { type Arbitrary } from 'fast-check'
import type { InjectOptions } from 'fastify'

/**
 * Generated requests for each operation, valid and mutated. `expect` is what
 * the documented contract says the input must get; where the outcome depends
 * on details the spec leaves open (a random string that may parse as a
 * number), it is undefined and only the invariants are checked.
 */
export interface FuzzCase {
  request: InjectOptions
  expect?: number[]
}

const OK = [200]
const BAD = [400]
const MAX_CONTENT = 1000
const MAX_ID = 2_147_483_647
const BODY_LIMIT = 16_384

/** Strings attackers and unlucky users send. */
const nasty = [
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

const text: Arbitrary<string> = fc.oneof(
  fc.constantFrom(...nasty),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
)

/** Every byte percent-encoded (lone surrogates become U+FFFD, as a browser would send). */
export function percentEncode(value: string): string {
  return [...Buffer.from(value)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')
}

const query = (pairs: [string, string][]) =>
  pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`

/** Query parameters no operation reads: ignored. */
const junkPairs = fc
  .array(fc.tuple(text, text), { maxLength: 3 })
  .map((pairs) => pairs.filter(([key]) => key !== 'limit' && key !== 'cursor'))
const rawJunkQuery = fc.constantFrom(
  '?%zz',
  '?%',
  '?&&',
  '?=',
  '?a[b]=c&a[]=1',
  '?%00=%00',
  `?${'q'.repeat(5000)}`,
)

// --- bodies ---------------------------------------------------------------

const isContent = (s: string) =>
  s.length > 0 && [...s].length <= MAX_CONTENT && !s.includes('\u0000') && s.isWellFormed()

const validContent = fc
  .oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
    fc.string({ unit: 'grapheme-composite', minLength: 990, maxLength: MAX_CONTENT }),
    fc.constantFrom(...nasty),
  )
  .filter(isContent)

const invalidContent = fc.oneof(
  fc.constant(''),
  fc.integer({ min: MAX_CONTENT + 1, max: 3000 }).map((n) => '😀'.repeat(n)),
  text.map((s) => `${s}\u0000${s}`),
  text.map((s) => `${s}\ud800`),
  fc.constant('\udc00 lone low surrogate'),
)

const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 3 }),
)

const json = (body: unknown, contentType = 'application/json') => ({
  headers: { 'content-type': contentType },
  payload: JSON.stringify(body),
})

const notJson = fc.oneof(
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

const otherMediaTypes = fc.constantFrom(
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

const oversized = fc.integer({ min: BODY_LIMIT, max: 40_000 }).map((n) => 'x'.repeat(n))

/** Mutated bodies every POST must refuse the same way, whatever it expects inside. */
const refusedBodies: Arbitrary<FuzzCase['request'] & { expect: number[] }> = fc.oneof(
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

const postMessage = (body: unknown, expect: number[], contentType?: string): FuzzCase => ({
  request: { method: 'POST', url: '/api/messages', ...json(body, contentType) },
  expect,
})

export const createMessage: Arbitrary<FuzzCase> = fc.oneof(
  validContent.map((content) => postMessage({ content }, [201])),
  validContent.map((content) => postMessage({ content }, [201], 'application/json; charset=utf-8')),
  invalidContent.map((content) => postMessage({ content }, BAD)),
  notAString.map((content) => postMessage({ content }, BAD)),
  // `content` missing.
  fc
    .dictionary(
      text.filter((key) => key !== 'content'),
      text,
      { maxKeys: 3 },
    )
    .map((body) => postMessage(body, BAD)),
  // A property the schema forbids next to a valid `content`.
  fc
    .tuple(
      validContent,
      text.filter((key) => key !== 'content'),
      fc.jsonValue(),
    )
    .map(([content, key, value]) => postMessage({ content, [key]: value }, BAD)),
  // Not an object at all.
  fc.oneof(fc.array(text), fc.integer(), text, fc.constant(null)).map((body) => postMessage(body, BAD)),
  refusedBodies.map(({ expect, ...body }) => ({
    request: { method: 'POST', url: '/api/messages', ...body },
    expect,
  })),
)

export const recordVisit: Arbitrary<FuzzCase> = fc.oneof(
  fc.constant({ request: { method: 'POST', url: '/api/visits' }, expect: OK }),
  junkPairs.map((pairs) => ({ request: { method: 'POST', url: `/api/visits${query(pairs)}` }, expect: OK })),
  // A body this operation does not take, but that is readable JSON, is ignored
  // (unless it tries prototype poisoning, which the JSON parser refuses).
  fc.jsonValue().map((body) => {
    const request = { method: 'POST' as const, url: '/api/visits', ...json(body) }
    return { request, expect: /"(__proto__|constructor)"/.test(request.payload) ? undefined : OK }
  }),
  refusedBodies.map(({ expect, ...body }) => ({
    request: { method: 'POST', url: '/api/visits', ...body },
    expect,
  })),
)

/** An operation without input: whatever else arrives is ignored. */
function noInput(url: string): Arbitrary<FuzzCase> {
  return fc.oneof(
    fc.constant({ request: { method: 'GET', url }, expect: OK }),
    junkPairs.map((pairs) => ({ request: { method: 'GET', url: `${url}${query(pairs)}` }, expect: OK })),
    rawJunkQuery.map((raw) => ({ request: { method: 'GET', url: `${url}${raw}` }, expect: OK })),
    fc.tuple(otherMediaTypes, text).map(([type, payload]) => ({
      request: { method: 'GET', url, headers: { 'content-type': type, accept: 'text/html' }, payload },
      expect: OK,
    })),
  )
}

export const getVisits = noInput('/api/visits')
export const getStatus = noInput('/api/status')
export const getLiveness = noInput('/health/live')
export const getReadiness = noInput('/health/ready')

// --- listMessages ------------------------------------------------------------

type Part = { pairs: [string, string][]; expect?: number[] }
const part = (name: string, values: string[], expect?: number[]): Part => ({
  pairs: values.map((value): [string, string] => [name, value]),
  ...(expect && { expect }),
})
const encodeCursor = (raw: string) => Buffer.from(raw).toString('base64url')

const limit: Arbitrary<Part> = fc.oneof(
  fc.integer({ min: 1, max: 100 }).map((n) => part('limit', [String(n)], OK)),
  fc
    .oneof(
      fc.integer({ max: 0 }),
      fc.integer({ min: 101 }),
      fc.double({ min: 1.01, max: 99.99, noNaN: true }).filter((n) => !Number.isInteger(n)),
    )
    .map((n) => part('limit', [String(n)], BAD)),
  fc
    .constantFrom(
      '',
      'ten',
      'Infinity',
      '-Infinity',
      '1e999',
      'NaN',
      'true',
      'null',
      '[]',
      '٢',
      '9'.repeat(40),
    )
    .map((value) => part('limit', [value], BAD)),
  fc.constant(part('limit', ['1', '2'], BAD)),
  text.map((value) => part('limit', [value])),
)

/** `realCursors` are ones the API issued; forged ones that decode are just as valid. */
function cursor(realCursors: string[]): Arbitrary<Part> {
  return fc.oneof(
    fc.constantFrom(...realCursors).map((value) => part('cursor', [value], OK)),
    fc
      .tuple(fc.integer({ min: 0, max: 999_999_999_999_999 }), fc.integer({ min: 1, max: MAX_ID }))
      .map(([ms, id]) => part('cursor', [encodeCursor(`${ms}.${id}`)], OK)),
    fc
      .constantFrom('nope', '-1.5', '1.0', `1.${MAX_ID + 1}`, '9999999999999999.1', '1.1.1', ' 1.1', '1e3.1')
      .map((raw) => part('cursor', [encodeCursor(raw)], BAD)),
    fc
      .oneof(
        text.filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
        fc.constant('a'.repeat(65)),
      )
      .map((value) => part('cursor', [value], BAD)),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).map((value) => part('cursor', [value])),
    fc.constantFrom(...realCursors).map((value) => part('cursor', [value, value], BAD)),
  )
}

export function listMessages(realCursors: string[]): Arbitrary<FuzzCase> {
  const none: Part = { pairs: [], expect: OK }
  return fc
    .tuple(fc.oneof(fc.constant(none), limit), fc.oneof(fc.constant(none), cursor(realCursors)), junkPairs)
    .map(([l, c, junk]) => ({
      request: { method: 'GET', url: `/api/messages${query([...l.pairs, ...c.pairs, ...junk])}` },
      // A bad part makes the request bad; an unknown part leaves it unknown.
      expect: l.expect === BAD || c.expect === BAD ? BAD : l.expect && c.expect ? OK : undefined,
    }))
}

// --- getMessage --------------------------------------------------------------

export function getMessage(existingIds: number[]): Arbitrary<FuzzCase> {
  const at = (segment: string, expect?: number[]) => ({
    request: { method: 'GET', url: `/api/messages/${segment}` },
    expect,
  })
  return fc.oneof(
    fc.constantFrom(...existingIds).map((id) => at(String(id), OK)),
    fc.integer({ min: 100_000_000, max: MAX_ID }).map((id) => at(String(id), [404])),
    fc
      .oneof(
        fc.integer({ max: 0 }).map(String),
        fc.bigInt({ min: BigInt(MAX_ID) + 1n, max: 10n ** 30n }).map(String),
        fc
          .double({ noNaN: true })
          .filter((n) => !Number.isInteger(n))
          .map(String),
        fc.constantFrom(
          'abc',
          'Infinity',
          '-Infinity',
          '1e999',
          'NaN',
          'null',
          '1 OR 1=1',
          '1;--',
          '٣',
          '%20',
        ),
      )
      .map((segment) => at(percentEncode(segment), BAD)),
    fc.constantFrom('%zz', '%', '%E0%A4', '%C0%AF', '1%2F2').map((segment) => at(segment, BAD)),
    fc.integer({ min: 101, max: 2000 }).map((n) => at('9'.repeat(n), [414])),
    text.map((segment) => at(percentEncode(segment))),
  )
}
