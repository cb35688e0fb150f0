import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { buildFaultableApp, countMessages } from './helpers/app.ts'
import {
  accessibilityViolations,
  chromiumMissing,
  launchChromium,
  load,
  openPage,
  screenshot,
} from './helpers/browser.ts'

// The page at `/` in a real browser, on the real app over real Postgres and
// Redis; TCP proxies take either one away for the degraded-state tests.
const missing = chromiumMissing()
if (missing) {
  t.plan(0, missing)
  process.exit(0)
}
const browser = await launchChromium(t)

const { app, postgres, redis } = await buildFaultableApp(t)
await app.listen({ port: 0, host: '127.0.0.1' })
const baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

/** Seeds through the public API, as another client would. */
async function post(content: string): Promise<{ id: number; content: string }> {
  const response = await fetch(`${baseURL}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content }),
  })
  if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`)
  return response.json() as Promise<{ id: number; content: string }>
}

/** After a proxy is restored, the clients reconnect on their own, with backoff. */
async function untilReady(): Promise<void> {
  for (let deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    if ((await fetch(`${baseURL}/health/ready`)).ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('not ready again within 10 s')
}

/** Chromium logs every non-2xx fetch as a console error: these are the ones a test expects. */
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const failedFetch = (status: number, path: string) =>
  new RegExp(`status of ${status} .*\\[${escapeRegExp(baseURL + path)}(\\?.*)?\\]$`)

/** Each test gets a fresh page and fails on any console error or exception it did not expect. */
function pageTest(name: string, run: (t: Test, page: Page) => Promise<void>, expectedErrors: RegExp[] = []) {
  t.test(name, async (t) => {
    const { page, errors } = await openPage(t, browser, baseURL)
    await run(t, page)
    const unexpected = errors.filter((error) => !expectedErrors.some((pattern) => pattern.test(error)))
    t.same(unexpected, [], 'no console errors or uncaught exceptions')
  })
}

const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? ''
const visitCount = async (page: Page) => Number(await page.locator('#visits').getAttribute('data-count'))
const messageTexts = (page: Page) => page.locator('#messages .message-content').allTextContents()

pageTest(
  'the page shows the counter, the health and the newest messages, all from the API',
  async (t, page) => {
    await post('First post')
    await post('Second post, with a longer line of text to show how messages wrap on the board.')

    // What Chromium downloads for the page itself, headers included (headless
    // Chromium may not fetch the icon; web.test.ts adds up every asset's body).
    const loads: { type: string; bytes: Promise<number> }[] = []
    page.on('requestfinished', (request) => {
      const type = request.resourceType()
      if (['document', 'stylesheet', 'script'].includes(type)) {
        loads.push({ type, bytes: request.sizes().then((s) => s.responseHeadersSize + s.responseBodySize) })
      }
    })
    await load(page)
    const bytes = (await Promise.all(loads.map((l) => l.bytes))).reduce((sum, size) => sum + size, 0)
    t.same(
      loads.map((l) => l.type).sort(),
      ['document', 'script', 'stylesheet'],
      'one document, stylesheet, script',
    )
    t.ok(bytes < 50 * 1024, `document, stylesheet and script: ${bytes} bytes with headers (under 50 KB)`)

    const firstCount = await visitCount(page)
    t.ok(firstCount >= 1, 'the visit was counted')
    t.equal(await page.locator('#health-postgres').getAttribute('data-state'), 'ok')
    t.equal(await page.locator('#health-redis').getAttribute('data-state'), 'ok')
    t.match(await text(page, '#health-redis'), /^ok, \d+(\.\d+)? ms$/)
    t.equal(await text(page, '#degraded'), '', 'no degraded notice')
    t.same((await messageTexts(page)).slice(0, 2), [
      'Second post, with a longer line of text to show how messages wrap on the board.',
      'First post',
    ])
    t.match(await text(page, '#list-source'), /from PostgreSQL \(x-cache: miss\)/)
    const time = page.locator('#messages time').first()
    t.match(await time.getAttribute('datetime'), /^\d{4}-\d\d-\d\dT.*Z$/, 'machine-readable time')
    t.match(await time.textContent(), /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d\s[AP]M$/, 'readable time')

    t.same(await accessibilityViolations(page), [], 'axe-core finds no WCAG 2.1 AA violations')
    t.comment(`screenshot: ${await screenshot(page, 'page.png')}`)

    await page.reload()
    await page.waitForSelector('html[data-ready="true"]', { state: 'attached' })
    t.equal(await visitCount(page), firstCount + 1, 'a reload counts one more visit')
    t.match(await text(page, '#list-source'), /from the Redis cache \(x-cache: hit\)/)
  },
)

pageTest(
  'the page sends a strict CSP that allows no inline script or style',
  async (t, page) => {
    const response = await page.goto('/')
    const csp = response?.headers()['content-security-policy'] ?? ''
    t.match(csp, /(^|;)\s*default-src 'self'\s*(;|$)/)
    t.notMatch(csp, /unsafe-inline|unsafe-eval|script-src|style-src/, 'script and style fall back to self')
    // Inline code added now must be refused by the browser. Trusted Types stop
    // the script text first; a policy gets past them, so script-src is tested too.
    const outcome = await page.evaluate(async () => {
      const probe = globalThis as { inlineRan?: boolean }
      const code = 'globalThis.inlineRan = true'
      const refusedByTrustedTypes = (() => {
        try {
          document.createElement('script').textContent = code
          return false
        } catch {
          return true
        }
      })()
      type Policy = { createScript(input: string): string }
      const { trustedTypes } = globalThis as unknown as {
        trustedTypes: { createPolicy(name: string, rules: Policy): Policy }
      }
      const policy = trustedTypes.createPolicy('csp-probe', { createScript: (input) => input })
      const script = document.createElement('script')
      script.textContent = policy.createScript(code)
      document.head.append(script)
      const style = document.createElement('style')
      style.textContent = 'body { background-color: rgb(255, 0, 0) }'
      document.head.append(style)
      await new Promise((resolve) => setTimeout(resolve, 50))
      return {
        refusedByTrustedTypes,
        scriptRan: probe.inlineRan === true,
        styleApplied: getComputedStyle(document.body).backgroundColor === 'rgb(255, 0, 0)',
      }
    })
    t.same(outcome, { refusedByTrustedTypes: true, scriptRan: false, styleApplied: false })
  },
  [/TrustedScript/, /inline script violates/, /inline style violates/],
)

pageTest(
  'posting: the field says what is wrong before anything is sent, then the message appears',
  async (t, page) => {
    await load(page)
    const posts: string[] = []
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/messages')) posts.push(request.url())
    })

    await page.click('#post')
    t.match(await text(page, '#content-error'), /Write a message first \(1 to 1000 characters\)/)
    t.equal(await page.locator('#content').getAttribute('aria-invalid'), 'true')
    t.equal(await page.evaluate(() => document.activeElement?.id), 'content', 'focus goes to the field')

    await page.fill('#content', 'x'.repeat(1001))
    t.equal(await text(page, '#content-count'), '1,001')
    await page.click('#post')
    t.match(await text(page, '#content-error'), /That is 1001 characters; the limit is 1000/)
    t.equal(posts.length, 0, 'nothing was sent while the field was invalid')

    // 1000 emoji are 2000 UTF-16 units but 1000 characters, for the page as for the API.
    await page.fill('#content', '🙂'.repeat(1000))
    t.equal(await text(page, '#content-error'), '', 'the error clears once the text is valid')
    t.equal(await page.locator('#content').getAttribute('aria-invalid'), null)
    await page.click('#post')
    await page.locator('#post-status', { hasText: 'Posted.' }).waitFor()

    await page.fill('#content', 'Hello from the browser')
    await page.click('#post')
    await page.locator('#messages .message-content', { hasText: 'Hello from the browser' }).waitFor()
    t.same(
      (await messageTexts(page)).slice(0, 2),
      ['Hello from the browser', '🙂'.repeat(1000)],
      'newest first',
    )
    t.equal(await page.inputValue('#content'), '', 'the field is cleared')
    t.equal(posts.length, 2)

    const stored = await (await fetch(`${baseURL}/api/messages?limit=1`)).json()
    t.equal(stored.items[0].content, 'Hello from the browser', 'the API has it')
  },
)

pageTest(
  "posting: the server's validation problem is shown next to the field",
  async (t, page) => {
    await load(page)
    // The client does not check for NUL (Postgres text cannot hold it); the API does.
    await page.fill('#content', 'before\u0000after')
    await page.click('#post')
    await page.locator('#content-error', { hasText: 'Not posted' }).waitFor()
    t.match(await text(page, '#content-error'), /^Not posted: Message must match pattern/)
    t.equal(await page.locator('#content').getAttribute('aria-invalid'), 'true')
    t.equal(await page.inputValue('#content'), 'before\u0000after', 'the text is kept for fixing')
  },
  [failedFetch(400, '/api/messages')],
)

pageTest('keyboard only: Tab to the field, type, Tab to Post, Enter', async (t, page) => {
  await load(page)
  await page.keyboard.press('Tab')
  t.equal(await page.evaluate(() => document.activeElement?.id), 'content', 'the field is the first stop')
  const ring = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement as Element)
    return `${style.outlineStyle} ${style.outlineWidth}`
  })
  t.equal(ring, 'solid 3px', 'focus is visible')
  await page.keyboard.type('Typed without a mouse')
  await page.keyboard.press('Tab')
  t.equal(await page.evaluate(() => document.activeElement?.id), 'post', 'then the Post button')
  await page.keyboard.press('Enter')
  await page.locator('#messages .message-content', { hasText: 'Typed without a mouse' }).waitFor()
  t.equal((await messageTexts(page))[0], 'Typed without a mouse')
  t.equal(await page.evaluate(() => document.activeElement?.id), 'post', 'focus stays on the button')
})

pageTest('"more" pages through 60 messages with the cursor, newest first, none twice', async (t, page) => {
  for (let i = 1; i <= 60; i++) await post(`Paged message ${i}`)
  const total = await countMessages(app)
  await load(page)
  t.equal(await page.locator('#messages li').count(), 20, 'the first page')

  let clicks = 0
  while (await page.locator('#more').isVisible()) {
    const before = await page.locator('#messages li').count()
    await page.click('#more')
    await page.waitForFunction((n) => document.querySelectorAll('#messages li').length > n, before)
    clicks++
  }
  t.equal(clicks, Math.ceil(total / 20) - 1)
  const ids = (await page
    .locator('#messages li')
    .evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.id)))) as number[]
  t.equal(ids.length, total, `all ${total} messages`)
  t.equal(new Set(ids).size, ids.length, 'none twice')
  t.ok(
    ids.every((id, i) => i === 0 || id < (ids[i - 1] as number)),
    'newest first throughout',
  )
  const paged = (await messageTexts(page)).filter((content) => content.startsWith('Paged message'))
  t.same(
    paged,
    Array.from({ length: 60 }, (_, i) => `Paged message ${60 - i}`),
  )
  t.match(await text(page, '#list-source'), /^\d+ older messages served from/)
  t.equal(
    await page.evaluate(() => document.activeElement?.classList.contains('message')),
    true,
    'when the button goes, focus moves to the first newly loaded message',
  )
})

pageTest('a message with markup renders as text and runs nothing', async (t, page) => {
  const hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"><b>bold?</b>'
  await post(hostile)
  await load(page)
  const first = page.locator('#messages .message').first()
  t.equal(await first.locator('.message-content').textContent(), hostile, 'shown exactly as typed')
  t.equal(await page.locator('#messages script, #messages img, #messages b').count(), 0, 'no elements made')
  await page.waitForTimeout(100)
  t.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined, 'nothing ran')
})

pageTest(
  'with Redis down the page says so, and reading and posting still work',
  async (t, page) => {
    redis.cut()
    t.teardown(async () => {
      redis.restore()
      await untilReady()
    })
    await load(page)
    t.match(await text(page, '#visits'), /unavailable/)
    t.equal(await page.locator('#health-redis').getAttribute('data-state'), 'fail')
    t.match(await text(page, '#health-redis'), /^down: /)
    t.equal(await page.locator('#health-postgres').getAttribute('data-state'), 'ok')
    t.match(await text(page, '#degraded'), /Redis is unavailable: the visit counter is paused/)
    t.match(await text(page, '#list-source'), /from PostgreSQL \(x-cache: miss\)/)
    t.equal(await page.locator('#messages li').count(), 20)

    await page.fill('#content', 'Posted while Redis was away')
    await page.click('#post')
    await page.locator('#messages .message-content', { hasText: 'Posted while Redis was away' }).waitFor()
    t.same(await accessibilityViolations(page), [], 'axe-core finds no violations in the degraded state')
    t.comment(`screenshot: ${await screenshot(page, 'page-redis-down.png', { fullPage: false })}`)
  },
  [failedFetch(503, '/api/visits'), failedFetch(503, '/health/ready')],
)

pageTest(
  'with Postgres down the cached list still shows and a post says why it failed',
  async (t, page) => {
    await untilReady()
    await fetch(`${baseURL}/api/messages?limit=20`) // warm the cache the page will read
    postgres.cut()
    t.teardown(async () => {
      postgres.restore()
      await untilReady()
    })
    await load(page)
    t.equal(await page.locator('#health-postgres').getAttribute('data-state'), 'fail')
    t.match(await text(page, '#degraded'), /PostgreSQL is unavailable/)
    t.match(await text(page, '#list-source'), /from the Redis cache \(x-cache: hit\)/)
    t.ok(Number(await page.locator('#visits').getAttribute('data-count')) > 0, 'the counter still counts')

    await page.fill('#content', 'Will not be stored')
    await page.click('#post')
    await page.locator('#content-error', { hasText: 'Not posted' }).waitFor()
    t.equal(
      await text(page, '#content-error'),
      'Not posted: A backing service is unavailable; retry shortly.',
    )
  },
  [failedFetch(503, '/health/ready'), failedFetch(503, '/api/messages')],
)

pageTest('Swagger UI at /docs renders under its own CSP', async (t, page) => {
  await page.goto('/docs')
  await page.locator('.opblock').first().waitFor()
  t.ok((await page.locator('.opblock').count()) >= 8, 'every operation is listed')
})
