import t from 'tap'
import { accessibilityViolations, load, screenshot } from './helpers/browser.ts'
import { failedFetch, pageTestsInChromium, text } from './helpers/page-site.ts'

// The page in a real browser while Postgres or Redis is away: TCP proxies
// between the app and each store are cut for the length of a test.
const pageTest = await pageTestsInChromium(t)

pageTest(
  'with Redis down the page says so, and reading and posting still work',
  async (t, page, site) => {
    for (let i = 1; i <= 25; i++) await site.post(`Message ${i}`)
    site.redis.cut()
    t.teardown(async () => {
      site.redis.restore()
      await site.untilReady()
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
  async (t, page, site) => {
    await site.post('Cached before Postgres went away')
    await fetch(`${site.baseURL}/api/messages?limit=20`) // warm the cache the page will read
    site.postgres.cut()
    t.teardown(async () => {
      site.postgres.restore()
      await site.untilReady()
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
