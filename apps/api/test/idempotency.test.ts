import { createMessageWriter } from '@app/db'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { requestFingerprint } from '../src/idempotency.ts'
import { buildFaultableApp, buildTestApp, countMessages, useDataStores } from './helpers/app.ts'

// Idempotency-Key on POST /api/messages and /api/visits: a retry never writes
// twice, whichever replica it reaches, whatever failed in between.

let keys = 0
const newKey = () => `"key-${process.pid}-${++keys}"`

const postMessage = (app: FastifyInstance, content: string, key: string, remoteAddress = '10.1.0.1') =>
  app.inject({
    method: 'POST',
    url: '/api/messages',
    payload: { content },
    headers: { 'idempotency-key': key },
    remoteAddress,
  })

t.test('fifty concurrent retries of one post over two replicas store it once', async (t) => {
  const stores = await useDataStores(t)
  const replicas = [await buildTestApp(t, { stores }), await buildTestApp(t, { stores })]
  const key = newKey()
  const replies = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      postMessage(replicas[i % 2] as FastifyInstance, 'exactly once', key),
    ),
  )
  const statuses = replies.map((reply) => reply.statusCode)
  t.ok(
    statuses.every((status) => status === 201 || status === 409),
    `201 or 409 only (${[...new Set(statuses)]})`,
  )
  const ids = new Set(replies.filter((r) => r.statusCode === 201).map((r) => r.json().id))
  t.equal(ids.size, 1, 'every 201 names the same message')
  t.equal(await countMessages(replicas[0] as FastifyInstance), 1, 'one row')
  for (const reply of replies.filter((r) => r.statusCode === 409)) {
    t.match(reply.json(), { code: 'IDEMPOTENCY_KEY_IN_USE' })
    t.equal(reply.headers['retry-after'], '1')
  }
  const later = await postMessage(replicas[1] as FastifyInstance, 'exactly once', key)
  t.equal(later.statusCode, 201, 'once the first finished, a retry gets its answer')
  t.equal(later.headers['idempotent-replayed'], 'true')
  t.same(later.json(), [...replies].find((r) => r.statusCode === 201)?.json())
})

t.test('with Redis away the same retries still store the post once (Postgres decides)', async (t) => {
  const { app, redis } = await buildFaultableApp(t)
  redis.cut()
  t.teardown(() => redis.restore())
  const key = newKey()
  const replies = await Promise.all(
    Array.from({ length: 20 }, () => postMessage(app, 'once without redis', key)),
  )
  t.ok(
    replies.every((reply) => reply.statusCode === 201),
    'each gets the answer: the write or its replay',
  )
  t.equal(new Set(replies.map((reply) => reply.json().id)).size, 1)
  t.equal(await countMessages(app), 1)
})

t.test('a replica that died after its commit: the retry gets the stored answer', async (t) => {
  const stores = await useDataStores(t)
  const survivor = await buildTestApp(t, { stores })
  // The first attempt committed the message and its key, then the process died
  // before it could answer: that is the writer, called directly.
  const key = newKey()
  const body = { content: 'committed, never answered' }
  const { message } = await createMessageWriter(survivor.db)({
    ...body,
    idempotency: {
      client: '10.1.0.1',
      key: key.slice(1, -1),
      fingerprint: requestFingerprint('createMessage', body),
    },
  })
  const retry = await postMessage(survivor, body.content, key)
  t.equal(retry.statusCode, 201)
  t.equal(retry.json().id, message.id, 'the message the dead replica stored')
  t.equal(retry.headers.location, `/api/messages/${message.id}`)
  t.equal(await countMessages(survivor), 1, 'and no second one')
})

t.test('a replica that died before its commit: the retry writes it, once', async (t) => {
  const stores = await useDataStores(t)
  const survivor = await buildTestApp(t, { stores, env: { IDEMPOTENCY_IN_FLIGHT_MS: '300' } })
  const key = newKey()
  // The dead replica's claim is still in Redis: retries wait (409) until it expires.
  await survivor.cache.claim(`messages:10.1.0.1:${key.slice(1, -1)}`, 300)
  t.equal((await postMessage(survivor, 'retried', key)).statusCode, 409, 'in flight, as far as anyone knows')
  await new Promise((resolve) => setTimeout(resolve, 350))
  t.equal((await postMessage(survivor, 'retried', key)).statusCode, 201, 'written once the claim expired')
  t.equal((await postMessage(survivor, 'retried', key)).headers['idempotent-replayed'], 'true')
  t.equal(await countMessages(survivor), 1)
})

t.test('keys are per client, 422 with another body, 400 when not a Structured Field string', async (t) => {
  const app = await buildTestApp(t)
  const key = newKey()
  const mine = await postMessage(app, 'mine', key, '10.1.0.1')
  const theirs = await postMessage(app, 'theirs', key, '10.1.0.2')
  t.same([mine.statusCode, theirs.statusCode], [201, 201], 'another client may use the same key')
  t.not(mine.json().id, theirs.json().id)
  const reused = await postMessage(app, 'not mine', key, '10.1.0.1')
  t.equal(reused.statusCode, 422)
  t.match(reused.json(), { code: 'IDEMPOTENCY_KEY_REUSED' })
  for (const bad of ['unquoted', '""', '"a"b"', `"${'x'.repeat(300)}"`, '"tab\there"']) {
    const reply = await postMessage(app, 'bad key', bad)
    t.equal(reply.statusCode, 400, `${JSON.stringify(bad)}: 400`)
  }
  t.equal(await countMessages(app), 2, 'nothing else was written')
})

t.test('a retried visit is counted once; a visit without a key counts every time', async (t) => {
  const app = await buildTestApp(t)
  const key = newKey()
  const visit = (headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/visits', payload: {}, headers, remoteAddress: '10.1.0.1' })
  const counted = await Promise.all(Array.from({ length: 10 }, () => visit({ 'idempotency-key': key })))
  t.same(new Set(counted.map((reply) => reply.json().count)), new Set([1]), 'ten tries, one count')
  t.equal(counted.filter((reply) => reply.headers['idempotent-replayed'] === 'true').length, 9)
  t.equal((await visit()).json().count, 2)
  t.equal((await visit()).json().count, 3)
})
