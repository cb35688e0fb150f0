import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { buildTestApp, countMessages } from './helpers/app.ts'
import { chromiumMissing, launchChromium, openPage } from './helpers/browser.ts'

// Cross-site requests in a real browser: a page of another origin must not
// be able to bump the counter, post a message or read an answer through a
// visitor's browser; a page of an origin in CORS_ORIGINS may. The pages are
// served by two plain servers on other ports (other origins) of 127.0.0.1.
const missing = chromiumMissing()
if (missing) {
  t.plan(0, missing)
  process.exit(0)
}

async function originServer(t: Test): Promise<string> {
  const server: Server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8')
    response.end('<!doctype html><title>another site</title><p>another site</p>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const browser = await launchChromium(t)
const hostile = await originServer(t)
const partner = await originServer(t)
const app = await buildTestApp(t, { env: { CORS_ORIGINS: partner } })
const api = await app.listen({ port: 0, host: '127.0.0.1' })
const visits = async () => (await app.inject({ method: 'GET', url: '/api/visits' })).json().count as number

t.test('a page of another origin can neither write through the browser nor read an answer', async (t) => {
  const { page } = await openPage(t, browser, hostile)
  await page.goto(hostile)
  const [countBefore, messagesBefore] = [await visits(), await countMessages(app)]

  // Whatever a script on that page may send: each outcome is what the browser reports.
  const outcomes = await page.evaluate(async (api) => {
    const attempt = async (run: () => Promise<Response>) => {
      try {
        const response = await run()
        return response.type === 'opaque' ? 'sent, answer hidden' : `read ${response.status}`
      } catch {
        return 'blocked'
      }
    }
    return {
      jsonVisit: await attempt(() =>
        fetch(`${api}/api/visits`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      ),
      jsonMessage: await attempt(() =>
        fetch(`${api}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ content: 'cross-site' }),
        }),
      ),
      simpleVisit: await attempt(() =>
        fetch(`${api}/api/visits`, { method: 'POST', mode: 'no-cors', body: '{}' }),
      ),
      simpleMessage: await attempt(() =>
        fetch(`${api}/api/messages`, {
          method: 'POST',
          mode: 'no-cors',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ content: 'cross-site' }),
        }),
      ),
      formMessage: await attempt(() =>
        fetch(`${api}/api/messages`, {
          method: 'POST',
          mode: 'no-cors',
          body: new URLSearchParams({ content: 'cross-site' }),
        }),
      ),
      deletion: await attempt(() => fetch(`${api}/api/messages/1`, { method: 'DELETE' })),
      read: await attempt(() => fetch(`${api}/api/visits`)),
      beacon: navigator.sendBeacon(`${api}/api/visits`, '{}') ? 'sent, answer hidden' : 'blocked',
    }
  }, api)
  t.same(outcomes, {
    jsonVisit: 'blocked',
    jsonMessage: 'blocked',
    simpleVisit: 'sent, answer hidden',
    simpleMessage: 'sent, answer hidden',
    formMessage: 'sent, answer hidden',
    deletion: 'blocked',
    read: 'blocked',
    beacon: 'sent, answer hidden',
  })

  // A real form on that page, submitted as a visitor would (a top-level navigation).
  await page.setContent(
    `<form method="post" action="${api}/api/messages" enctype="text/plain">` +
      '<input name="content" value="cross-site"><button>post</button></form>',
  )
  const [navigation] = await Promise.all([page.waitForNavigation(), page.click('button')])
  t.equal(navigation?.status(), 415, 'a form post is refused: not application/json')

  // The no-cors sends and the beacon reached the api: they must have changed nothing.
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(await visits(), countBefore, 'the counter did not move')
  t.equal(await countMessages(app), messagesBefore, 'no message was stored')
})

t.test('a page of an origin in CORS_ORIGINS may call the API', async (t) => {
  const { page } = await openPage(t, browser, partner)
  await page.goto(partner)
  const before = await visits()
  const answer = await page.evaluate(async (api) => {
    const response = await fetch(`${api}/api/visits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    return { status: response.status, body: await response.json(), id: response.headers.get('x-request-id') }
  }, api)
  t.equal(answer.status, 200)
  t.equal(answer.body.count, before + 1)
  t.ok(answer.id, 'exposed headers are readable (x-request-id)')
})
