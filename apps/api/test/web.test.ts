import t from 'tap'
import { buildTestApp } from './helpers/app.ts'

const app = await buildTestApp(t)

const page = await app.inject({ method: 'GET', url: '/' })
const assetUrls = [...page.body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map(
  (match) => match[1] as string,
)

t.test('GET / is the page, revalidated on every visit', async (t) => {
  t.equal(page.statusCode, 200)
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8')
  t.equal(page.headers['cache-control'], 'no-cache')
  t.match(page.headers.etag, /^"[0-9a-f]{12}"$/)
  const again = await app.inject({ method: 'GET', url: '/', headers: { 'if-none-match': page.headers.etag } })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
})

t.test('the page has no inline script, style or event handler', async (t) => {
  t.notMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'every script has a src')
  t.notMatch(page.body, /<style|\sstyle=/, 'no style element or attribute')
  t.notMatch(page.body, /\son[a-z]+=/, 'no inline event handler')
})

t.test('a strict CSP and the other security headers are sent', async (t) => {
  const csp = String(page.headers['content-security-policy'])
  const directives = Object.fromEntries(
    csp.split(';').map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/)
      return [name, values.join(' ')]
    }),
  )
  t.same(directives, {
    'default-src': "'self'",
    'base-uri': "'none'",
    'form-action': "'self'",
    'frame-ancestors': "'none'",
    'object-src': "'none'",
    'require-trusted-types-for': "'script'",
  })
  t.equal(page.headers['x-content-type-options'], 'nosniff')
  t.equal(page.headers['x-frame-options'], 'DENY')
  t.equal(page.headers['referrer-policy'], 'no-referrer')
  for (const url of ['/health/live', '/api/visits', '/api/nothing-here']) {
    const api = await app.inject({ method: 'GET', url })
    t.match(
      api.headers,
      {
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'cross-origin-resource-policy': 'same-origin',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      },
      `${url}: the JSON subset: no framing, sniffing, cross-origin reads or active content`,
    )
    t.equal(api.headers['origin-agent-cluster'], undefined, `${url}: page-only headers are left out`)
    t.equal(api.headers['strict-transport-security'], undefined, `${url}: no HSTS, the TLS proxy's to send`)
  }
})

t.test('assets have content-hashed URLs and are cached for a year', async (t) => {
  t.equal(assetUrls.length, 3)
  const types: Record<string, RegExp> = {
    css: /^text\/css/,
    js: /^(text|application)\/javascript/,
    svg: /^image\/svg\+xml/,
  }
  for (const url of assetUrls) {
    t.match(url, /^\/assets\/[0-9a-f]{12}\/[a-z]+\.(css|js|svg)$/)
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 200, url)
    t.match(response.headers['content-type'], types[url.split('.').pop() as string] as RegExp, url)
    t.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable', url)
  }
  const [first = ''] = assetUrls
  const stale = await app.inject({
    method: 'GET',
    url: first.replace(/\/assets\/[0-9a-f]+\//, '/assets/0123456789ab/'),
  })
  t.equal(stale.statusCode, 404, 'an old version is gone, not served with new content')
  t.match(stale.headers['content-type'], /^application\/problem\+json/)
})

t.test('the page and all its assets weigh under 50 KB', async (t) => {
  let bytes = Buffer.byteLength(page.body)
  for (const url of assetUrls) bytes += (await app.inject({ method: 'GET', url })).rawPayload.length
  t.ok(bytes < 50 * 1024, `${bytes} bytes of HTML, CSS, JS and icon`)
})

t.test('the page and its assets are not part of the OpenAPI document', async (t) => {
  const paths = Object.keys((await app.inject({ method: 'GET', url: '/openapi.json' })).json().paths)
  t.notOk(paths.includes('/'), 'no /')
  t.same(
    paths.filter((path) => path.startsWith('/assets')),
    [],
    'no /assets',
  )
})

t.test('Swagger UI gets its own CSP, as loose as it needs and no looser', async (t) => {
  const docs = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(docs.statusCode, 200)
  const csp = String(docs.headers['content-security-policy'])
  t.match(csp, /img-src 'self' data:/)
  t.match(csp, /default-src 'self'/)
  t.notMatch(csp, /script-src/, 'scripts still come only from this origin')
})
