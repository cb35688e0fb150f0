import fc, { type Arbitrary } from 'fast-check'
import { cursorCodec } from '../../src/cursor.ts'
import { TEST_CURSOR_SECRET } from './app.ts'
import {
  BAD,
  type FuzzCase,
  invalidContent,
  json,
  junkPairs,
  MAX_ID,
  notAString,
  OK,
  otherMediaTypes,
  percentEncode,
  query,
  rawJunkQuery,
  refusedBodies,
  text,
  validContent,
} from './fuzz-values.ts'

export type { FuzzCase }

const postMessage = (body: unknown, expect: number[], contentType?: string): FuzzCase => ({
  request: { method: 'POST', url: '/api/messages', ...json(body, contentType) },
  expect,
})

export const createMessageRequests: Arbitrary<FuzzCase> = fc.oneof(
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

export const recordVisitRequests: Arbitrary<FuzzCase> = fc.oneof(
  fc.constant({ request: { method: 'POST', url: '/api/visits', payload: {} }, expect: OK }),
  junkPairs.map((pairs) => ({
    request: { method: 'POST', url: `/api/visits${query(pairs)}`, payload: {} },
    expect: OK,
  })),
  // No body, so no Content-Type: what a page on another origin can send without asking.
  fc.constant<FuzzCase>({ request: { method: 'POST', url: '/api/visits' }, expect: [415] }),
  // Any JSON but `{}` is refused.
  fc
    .jsonValue()
    .filter((body) => JSON.stringify(body) !== '{}')
    .map((body) => ({
      request: { method: 'POST' as const, url: '/api/visits', ...json(body) },
      expect: BAD,
    })),
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

export const getVisitsRequests = noInput('/api/visits')
export const getStatusRequests = noInput('/api/status')
export const getLivenessRequests = noInput('/health/live')
export const getReadinessRequests = noInput('/health/ready')

// --- listMessages ------------------------------------------------------------

type Part = { pairs: [string, string][]; expect?: number[] }
const part = (name: string, values: string[], expect?: number[]): Part => ({
  pairs: values.map((value): [string, string] => [name, value]),
  ...(expect && { expect }),
})
const encodeCursor = (raw: string) => Buffer.from(raw).toString('base64url')
const signed = cursorCodec(TEST_CURSOR_SECRET)
const signedBy = (secret: string) => cursorCodec(secret)
const TAG = /^[A-Za-z0-9_-]{22}$/

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

/** `realCursors` are ones the API issued; so is any position it signed. Anything else is 400. */
function cursor(realCursors: string[]): Arbitrary<Part> {
  const position = fc
    .tuple(fc.integer({ min: 0, max: 999_999_999_999_999 }), fc.integer({ min: 1, max: MAX_ID }))
    .map(([ms, id]) => ({ createdAt: new Date(ms), id }))
  return fc.oneof(
    fc.constantFrom(...realCursors).map((value) => part('cursor', [value], OK)),
    position.map((at) => part('cursor', [signed.encode(at)], OK)),
    // Forged: unsigned, signed with another key, or a valid tag on another payload.
    position.map((at) => part('cursor', [encodeCursor(`${at.createdAt.getTime()}.${at.id}`)], BAD)),
    position.map((at) => part('cursor', [signedBy('another key of 32 characters....').encode(at)], BAD)),
    fc
      .tuple(position, position)
      .filter(([a, b]) => a.id !== b.id)
      .map(([a, b]) => {
        const [payload] = signed.encode(a).split('.')
        const [, tag] = signed.encode(b).split('.')
        return part('cursor', [`${payload}.${tag}`], BAD)
      }),
    fc
      .constantFrom('nope', '-1.5', '1.0', `1.${MAX_ID + 1}`, '9999999999999999.1', '1.1.1', ' 1.1', '1e3.1')
      .map((raw) => part('cursor', [`${encodeCursor(raw)}.${'A'.repeat(22)}`], BAD)),
    fc
      .oneof(
        text.filter((s) => !/^[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{22}$/.test(s)),
        fc.constant(`${'a'.repeat(41)}.${'A'.repeat(22)}`),
      )
      .map((value) => part('cursor', [value], BAD)),
    fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), fc.stringMatching(TAG))
      .map(([payload, tag]) => part('cursor', [`${payload}.${tag}`], BAD)),
    fc.constantFrom(...realCursors).map((value) => part('cursor', [value, value], BAD)),
  )
}

export function listMessagesRequests(realCursors: string[]): Arbitrary<FuzzCase> {
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

export function getMessageRequests(existingIds: number[]): Arbitrary<FuzzCase> {
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

// --- deleteMessage -----------------------------------------------------------

/** The token fuzz.test.ts's app accepts. */
export const FUZZ_ADMIN_TOKEN = 'fuzzing-moderator-token-0123456789abcdef'

export function deleteMessageRequests(deletableIds: number[]): Arbitrary<FuzzCase> {
  const at = (segment: string, authorization: string | undefined, expect?: number[]) => ({
    request: {
      method: 'DELETE',
      url: `/api/messages/${segment}`,
      headers: authorization === undefined ? {} : { authorization },
    },
    expect,
  })
  const moderator = `Bearer ${FUZZ_ADMIN_TOKEN}`
  const segment = fc.oneof(
    fc.constantFrom(...deletableIds).map(String),
    fc.integer({ min: 1, max: MAX_ID }).map(String),
    text.map(percentEncode),
  )
  return fc.oneof(
    // Deleted once, then gone.
    fc.constantFrom(...deletableIds).map((id) => at(String(id), moderator, [204, 404])),
    fc.integer({ min: 100_000_000, max: MAX_ID }).map((id) => at(String(id), moderator, [404])),
    fc.constantFrom('0', '-1', 'abc', '1 OR 1=1', '1.5').map((s) => at(percentEncode(s), moderator, BAD)),
    // Without a bearer token, or with another one: refused before the id matters.
    fc
      .tuple(segment, fc.constantFrom(undefined, '', 'Basic YWRtaW46YWRtaW4=', 'Bearer', 'bearer x'))
      .map(([s, authorization]) => at(s, authorization, [401])),
    fc
      .tuple(
        fc.constantFrom(...deletableIds).map(String),
        fc.oneof(
          fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,80}$/).filter((token) => token !== FUZZ_ADMIN_TOKEN),
          fc.constant(FUZZ_ADMIN_TOKEN.slice(0, -1)),
          fc.constant(`${FUZZ_ADMIN_TOKEN}0`),
        ),
      )
      .map(([s, token]) => at(s, `Bearer ${token}`, [403])),
  )
}
