import t from 'tap'
import { nestingDepth } from '../src/plugins/json-body.ts'
import { buildTestApp, countMessages } from './helpers/app.ts'

const json = { 'content-type': 'application/json' }
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

t.test('nestingDepth counts arrays and objects, not brackets inside strings', async (t) => {
  t.equal(nestingDepth('{}', 10), 1)
  t.equal(nestingDepth('{"a":[{"b":[]}]}', 10), 4)
  t.equal(nestingDepth('{"a":"[[[{{{"}', 10), 1, 'brackets in a string')
  t.equal(nestingDepth('{"a":"\\"[[[["}', 10), 1, 'an escaped quote does not end the string')
  t.equal(nestingDepth('[[],[],[[]]]', 10), 3, 'siblings do not add up')
  t.equal(nestingDepth(nested(100_000), 32), 33, 'stops as soon as it passes the limit')
})

t.test('a body nested deeper than JSON_MAX_DEPTH is 400 and changes nothing', async (t) => {
  const app = await buildTestApp(t)
  const before = await countMessages(app)
  // 5 000 levels made the visit's idempotency fingerprint overflow the stack: a 500.
  const deepVisit = await app.inject({
    method: 'POST',
    url: '/api/visits',
    headers: { ...json, 'idempotency-key': '"deep"' },
    payload: nested(5000),
  })
  t.equal(deepVisit.statusCode, 400)
  t.match(deepVisit.json(), { code: 'JSON_TOO_DEEP', detail: /deeper than 32 levels/ })
  const deepMessage = await app.inject({
    method: 'POST',
    url: '/api/messages',
    headers: json,
    payload: `{"content":"x","extra":${nested(33)}}`,
  })
  t.match(deepMessage.json(), { status: 400, code: 'JSON_TOO_DEEP' })
  const atTheLimit = await app.inject({
    method: 'POST',
    url: '/api/messages',
    headers: json,
    payload: `{"content":"x","extra":${nested(31)}}`,
  })
  t.equal(atTheLimit.json().code, 'VALIDATION_FAILED', 'at the limit it is parsed, then validated')
  t.equal(await countMessages(app), before)
  t.same((await app.inject({ url: '/api/visits' })).json(), { count: 0 }, 'no visit counted')
})

t.test('every write must be application/json, with a body or without', async (t) => {
  const app = await buildTestApp(t)
  for (const [what, headers, payload] of [
    ['no body and no Content-Type (a no-cors fetch)', {}, undefined],
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, 'content=hi'],
    ['text', { 'content-type': 'text/plain' }, '{"content":"hi"}'],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }, '--x--'],
  ] as const) {
    for (const url of ['/api/visits', '/api/messages']) {
      const response = await app.inject({ method: 'POST', url, headers, ...(payload && { payload }) })
      t.equal(response.statusCode, 415, `${url}: ${what}`)
      t.equal(response.json().code, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    }
  }
  t.same((await app.inject({ url: '/api/visits' })).json(), { count: 0 }, 'nothing counted')
  t.equal(await countMessages(app), 0, 'nothing written')
  const charset = await app.inject({
    method: 'POST',
    url: '/api/visits',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    payload: '{}',
  })
  t.equal(charset.statusCode, 200, 'a charset parameter is fine')
})

t.test('prototype poisoning and empty bodies are refused as Fastify refuses them', async (t) => {
  const app = await buildTestApp(t)
  const poisoned = await app.inject({
    method: 'POST',
    url: '/api/messages',
    headers: json,
    payload: '{"content":"x","__proto__":{"admin":true}}',
  })
  t.equal(poisoned.json().code, 'FST_ERR_CTP_INVALID_JSON_BODY')
  const empty = await app.inject({ method: 'POST', url: '/api/visits', headers: json })
  t.equal(empty.json().code, 'FST_ERR_CTP_EMPTY_JSON_BODY')
})
