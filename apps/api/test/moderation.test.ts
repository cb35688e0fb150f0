import t, { type Test } from 'tap'
import { buildTestApp, useDataStores } from './helpers/app.ts'
import { captureLog } from './helpers/log.ts'

// DELETE /api/messages/:id: moderators only, by bearer token (ADMIN_TOKEN,
// several for rotation); the message leaves every cached page on every
// replica; the log says who deleted what, never with the token.
const ALICE = 'alice-2026-token-0123456789abcdef0123'
const BOB = 'b0b5-rotated-token-fedcba9876543210fedc'
const ADMIN_TOKEN = `alice:${ALICE}\n${BOB}\n`

async function moderatedBoard(t: Test, env: Record<string, string> = { ADMIN_TOKEN }) {
  const stores = await useDataStores(t)
  const { lines, logStream } = captureLog()
  const app = await buildTestApp(t, { stores, env: { LOG_LEVEL: 'info', ...env }, logStream })
  const replica = await buildTestApp(t, { stores, env })
  const post = async (content: string) =>
    (await app.inject({ method: 'POST', url: '/api/messages', payload: { content } })).json().id as number
  const remove = (id: number, authorization?: string) =>
    app.inject({
      method: 'DELETE',
      url: `/api/messages/${id}`,
      headers: authorization === undefined ? {} : { authorization },
    })
  return { app, replica, lines, post, remove }
}

const listedIds = async (app: Awaited<ReturnType<typeof buildTestApp>>) =>
  ((await app.inject({ method: 'GET', url: '/api/messages' })).json().items as { id: number }[]).map(
    (item) => item.id,
  )

t.test('a moderator deletes a message: it leaves every cached page of every replica', async (t) => {
  const { app, replica, post, remove } = await moderatedBoard(t)
  const kept = await post('kept')
  const gone = await post('spam')
  t.same(await listedIds(app), [gone, kept])
  t.same(await listedIds(replica), [gone, kept], 'both replicas now hold the page in their caches')

  const deleted = await remove(gone, `Bearer ${ALICE}`)
  t.equal(deleted.statusCode, 204)
  t.equal(deleted.body, '')
  t.same(await listedIds(app), [kept], 'gone from the deleting replica at once')
  t.same(await listedIds(replica), [kept], 'and from the other one')
  t.equal((await app.inject({ method: 'GET', url: `/api/messages/${gone}` })).statusCode, 404)

  const again = await remove(gone, `Bearer ${ALICE}`)
  t.equal(again.statusCode, 404)
  t.equal(again.json().code, 'MESSAGE_NOT_FOUND')
})

t.test('every token of ADMIN_TOKEN works: an old and a new one during rotation', async (t) => {
  const { post, remove } = await moderatedBoard(t)
  t.equal((await remove(await post('one'), `Bearer ${ALICE}`)).statusCode, 204)
  t.equal((await remove(await post('two'), `Bearer ${BOB}`)).statusCode, 204)
})

t.test('no token is 401 with WWW-Authenticate; a wrong one is 403; nothing is deleted', async (t) => {
  const { app, post, remove } = await moderatedBoard(t)
  const id = await post('stays')
  for (const authorization of [undefined, '', 'Basic YWRtaW46YWRtaW4=', `bearer${ALICE}`, 'Bearer']) {
    const refused = await remove(id, authorization)
    t.equal(refused.statusCode, 401, `401 for ${JSON.stringify(authorization)}`)
    t.equal(refused.headers['www-authenticate'], 'Bearer realm="moderation"')
    t.match(refused.headers['content-type'], /^application\/problem\+json/)
    t.equal(refused.json().code, 'UNAUTHORIZED')
  }
  for (const token of [`${ALICE}x`, ALICE.slice(1), 'x'.repeat(40), `alice:${ALICE}`, 'a']) {
    const refused = await remove(id, `Bearer ${token}`)
    t.equal(refused.statusCode, 403, `403 for a wrong token of ${token.length} characters`)
    t.equal(refused.json().code, 'FORBIDDEN')
  }
  t.same(await listedIds(app), [id], 'the message is still there')
})

t.test('with no ADMIN_TOKEN every deletion is refused', async (t) => {
  const { post, remove } = await moderatedBoard(t, {})
  const id = await post('nobody may delete this')
  t.equal((await remove(id, `Bearer ${ALICE}`)).statusCode, 403)
  t.equal((await remove(id)).statusCode, 401)
})

t.test('each deletion is logged with the token id and the message, never with the token', async (t) => {
  const { lines, post, remove } = await moderatedBoard(t)
  const byAlice = await post('first')
  const byBob = await post('second')
  await remove(byAlice, `Bearer ${ALICE}`)
  await remove(byBob, `Bearer ${BOB}`)
  await remove(byBob, 'Bearer wrong-token-wrong-token-wrong-token')
  const deletions = lines.filter((line) => line.msg === 'message deleted')
  t.match(deletions, [
    { moderator: 'alice', messageId: byAlice, reqId: String },
    { moderator: /^sha256:[0-9a-f]{12}$/, messageId: byBob },
  ])
  t.ok(
    lines.some((line) => line.msg === 'moderation refused: unknown token'),
    'a wrong token is logged',
  )
  const log = JSON.stringify(lines)
  t.notOk(log.includes(ALICE) || log.includes(BOB) || log.includes('wrong-token'), 'no token in any line')
})
