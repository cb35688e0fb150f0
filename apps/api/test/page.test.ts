import t from 'tap'
import { countMessages } from './helpers/app.ts'
import { accessibilityViolations, load, screenshot } from './helpers/browser.ts'
import { failedFetch, messageTexts, pageTestsInChromium, text, visitCount } from './helpers/page-site.ts'

// The page at `/` in a real browser, on the real app over real Postgres and
// Redis, a fresh board for each test (page-degraded.test.ts takes Postgres or
// Redis away).
const pageTest = await pageTestsInChromium(t)

pageTest(
  'the page shows the counter, the health and the newest messages, all from the API',
  async (t, page, site) => {
    await site.post('First post')
    await site.post('Second post, with a longer line of text to show how messages wrap on the board.')

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
    // The last post left the new first page in the cache (CacheGroup.publish): even the first load hits.
    t.match(await text(page, '#list-source'), /from the Redis cache \(x-cache: hit\)/)
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
  async (t, page, site) => {
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

    const stored = await (await fetch(`${site.baseURL}/api/messages?limit=1`)).json()
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

pageTest(
  '"more" pages through 60 messages with the cursor, newest first, none twice',
  async (t, page, site) => {
    for (let i = 1; i <= 60; i++) await site.post(`Paged message ${i}`)
    const total = await countMessages(site.app)
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
  },
)

pageTest('a message with markup renders as text and runs nothing', async (t, page, site) => {
  const hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"><b>bold?</b>'
  await site.post(hostile)
  await load(page)
  const first = page.locator('#messages .message').first()
  t.equal(await first.locator('.message-content').textContent(), hostile, 'shown exactly as typed')
  t.equal(await page.locator('#messages script, #messages img, #messages b').count(), 0, 'no elements made')
  await page.waitForTimeout(100)
  t.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined, 'nothing ran')
})

pageTest('Swagger UI at /docs renders under its own CSP', async (t, page) => {
  await page.goto('/docs')
  await page.locator('.opblock').first().waitFor()
  t.ok((await page.locator('.opblock').count()) >= 8, 'every operation is listed')
})
