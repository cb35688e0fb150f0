import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { waitReady } from '../../harness/board.ts'
import { wrkBurst } from '../../harness/burst.ts'
import { hostFetch } from '../../harness/http.ts'
import { run } from '../../harness/run.ts'
import { REPO } from '../../harness/stack.ts'
import { everyPage, forgedCursors, postHeaviest, slowloris } from './hostile/attacks.ts'
import { redisUsedBytes, replicaLives, replicaMemory, sampleMemory } from './hostile/replicas.ts'
import { type Measured, securityReport } from './hostile/report.ts'
import { visitFor } from './hostile/visitor.ts'
import { createProdStack } from './prod/prod-stack.ts'

// The hostile sequence of issue 12, sent through the proxy of the production
// stack (prod.yml, three replicas) from the host, with nothing but anonymous
// HTTP: the heaviest messages the write limit lets one address post, every
// page a client can name (every limit, every cursor it was given) on every
// replica, forged cursors, a read flood, and slow clients holding
// connections. A legitimate visitor on another address keeps using the board
// meanwhile. Every replica must stay alive, within its documented memory, and
// the visitor served. The measured numbers become docs/security.md.
//
// The app's per-address read budget (RATE_LIMIT_READ_MAX, tested in
// apps/api) would refuse one address most of this: it is raised here so the
// memory bounds are shown to hold on their own, as against many addresses.
const RSS_BOUND_MB = 230 // LOAD_SHEDDING_MAX_RSS_MB's production default
const HEAP_BOUND_MB = 128 // --max-old-space-size in the image
const LOCAL_CACHE_BYTES = 16 * 1024 * 1024 // CACHE_LOCAL_MAX_BYTES
const GROUP_BUDGET_BYTES = 32 * 1024 * 1024 // CACHE_GROUP_MAX_BYTES: at most twice this is live
const MB = 1024 * 1024

const prod = await createProdStack(t, { RATE_LIMIT_READ_MAX: '10000000' })
const { stack, proxyUrl } = prod
const measured: Partial<Measured> = {}

/** A step that needs the stack fails, rather than passes vacuously, when it never came up. */
function step(name: string, body: (t: Test) => Promise<void>) {
  t.test(name, async (t) => {
    if (!prod.isUp) t.fail('the stack did not come up')
    else await body(t)
  })
}

let lives: Record<string, string> = {}
let redisBefore = 0

// Steps in order, sharing one stack; tap runs a file's subtests one at a time.
t.test('the stack comes up', async (t) => {
  await stack.compose(['build'], { timeoutMs: 900_000 })
  await prod.up()
  t.equal((await waitReady(proxyUrl, 90_000)).json().status, 'ok')
  prod.isUp = true
  lives = await replicaLives(stack)
  redisBefore = await redisUsedBytes(stack)
})

step('the size limits hold at the proxy and in the app, as problem+json', async (t) => {
  const problem = async (response: Response) => ({
    status: response.status,
    type: response.headers.get('content-type')?.split(';')[0],
    code: ((await response.json()) as { code: string }).code,
  })
  const post = (body: string) =>
    fetch(`${proxyUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
  const json = 'application/problem+json'
  t.same(
    await problem(await post(JSON.stringify({ content: 'x'.repeat(100_000) }))),
    {
      status: 413,
      type: json,
      code: 'EDGE_BODY_TOO_LARGE',
    },
    'a 100 KB body is refused by the proxy',
  )
  t.same(
    await problem(await post(JSON.stringify({ content: 'x'.repeat(20_000) }))),
    {
      status: 413,
      type: json,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    },
    'a 20 KB body by the api (BODY_LIMIT_BYTES)',
  )
  t.same(
    await problem(await fetch(`${proxyUrl}/api/messages?cursor=${'a'.repeat(10_000)}`)),
    {
      status: 414,
      type: json,
      code: 'EDGE_URI_TOO_LONG',
    },
    'a 10 KB URL by the proxy',
  )
  t.same(
    await problem(await fetch(`${proxyUrl}/api/visits`, { headers: { 'x-padding': 'x'.repeat(20_000) } })),
    {
      status: 400,
      type: json,
      code: 'EDGE_BAD_REQUEST',
    },
    'a 20 KB header by the proxy',
  )
})

step("the app's own limits hold through the proxy", async (t) => {
  const post = (body: string, contentType = 'application/json') =>
    fetch(`${proxyUrl}/api/messages`, { method: 'POST', headers: { 'content-type': contentType }, body })
  const deep = await post(`${'['.repeat(5000)}${']'.repeat(5000)}`)
  t.equal(deep.status, 400)
  t.match(deep.headers.get('content-type'), /^application\/problem\+json/)
  t.equal(
    ((await deep.json()) as { code: string }).code,
    'JSON_TOO_DEEP',
    'JSON nested 5000 deep is refused, not a 500',
  )
  const form = await post('content=hello', 'application/x-www-form-urlencoded')
  t.equal(form.status, 415, 'a form post is not a write')
  const visit = await hostFetch(`${proxyUrl}/api/visits`, { method: 'POST' })
  t.equal(visit.status, 415, 'nor is a write without a body type')
})

step('the heaviest messages, as many as one address may post', async (t) => {
  const posted = await postHeaviest(proxyUrl, 110)
  t.same(posted.statuses, { 201: 110 }, 'all within the write limit')
  measured.posted = posted.requests
})

step('every page a client can name, on every replica, and forged cursors', async (t) => {
  const sampler = sampleMemory(stack)
  const started = Date.now()
  const pages = await everyPage(proxyUrl, 3)
  const forged = await forgedCursors(proxyUrl, 300)
  const peaks = await sampler.stop()
  const after = await replicaMemory(stack)
  const redisAfter = await redisUsedBytes(stack)
  // Served, or refused fast by a replica shedding load (503 OVERLOADED): nothing else.
  t.same(
    Object.keys(pages.statuses).filter((status) => status !== '200' && status !== '503'),
    [],
    `${pages.requests} distinct page reads: ${JSON.stringify(pages.statuses)}`,
  )
  t.ok((pages.statuses[200] ?? 0) >= pages.requests * 0.95, 'at least 95 % served')
  t.same(forged.statuses, { 400: forged.requests }, 'every forged cursor is refused')
  for (const peak of peaks) {
    t.ok(peak.rssBytes < RSS_BOUND_MB * MB, `replica RSS peaked at ${Math.round(peak.rssBytes / MB)} MB`)
    t.ok(peak.heapUsedBytes < HEAP_BOUND_MB * MB, `heap peaked at ${Math.round(peak.heapUsedBytes / MB)} MB`)
    t.ok(peak.localCacheBytes <= LOCAL_CACHE_BYTES, 'the in-process tier stayed within its bytes')
  }
  const redisGrowth = redisAfter - redisBefore
  t.ok(redisGrowth < 2 * GROUP_BUDGET_BYTES + 8 * MB, `Redis grew by ${Math.round(redisGrowth / MB)} MB`)
  Object.assign(measured, {
    pageReads: pages.requests,
    pagesShed: pages.statuses[503] ?? 0,
    pagesSeconds: Math.round((Date.now() - started) / 100) / 10,
    forged: forged.requests,
    peaks,
    unstored: after.reduce((sum, replica) => sum + replica.unstoredPages, 0),
    redisGrowthBytes: redisGrowth,
  })
})

step('the edge limits at their defaults', async (t) => {
  // Up to here the edge let one address send as many do; from here it counts as in production.
  const defaults = { ...stack.env }
  for (const name of ['NGINX_RATE_LIMIT', 'NGINX_RATE_BURST', 'NGINX_CONN_LIMIT']) delete defaults[name]
  await stack.compose(['up', '-d', '--no-deps', 'proxy'], { env: defaults })
  t.equal((await waitReady(proxyUrl, 60_000)).json().status, 'ok', 'the proxy is back')
})

step('a read flood from one address while a visitor uses the board', async (t) => {
  const [flood, visitor] = await Promise.all([
    wrkBurst(`${proxyUrl}/api/messages?limit=100`, 10, 100),
    visitFor(stack, 14),
  ])
  t.comment(`flood: ${JSON.stringify(flood)}; visitor: ${JSON.stringify(visitor)}`)
  // Pages of 600 KB at 100 connections are slow by their size (wrk counts those past 2 s as
  // timeouts); what must not happen is a 5xx other than a documented 503.
  t.equal(flood.failed, 0, 'the flood got answers: served, limited or shed')
  t.ok(flood.limited > flood.requests / 2, `the edge refused most of it: ${flood.limited} answered 429`)
  t.ok(visitor.ok >= visitor.requests * 0.95, `the visitor got ${visitor.ok} of ${visitor.requests} answered`)
  Object.assign(measured, { flood, floodVisitor: visitor })
})

step('slow clients holding connections (slowloris) while a visitor uses the board', async (t) => {
  const port = Number(new URL(proxyUrl).port)
  const configs = await Promise.all(
    ['nginx.conf', 'templates/conf.d/default.conf.template'].map((file) =>
      readFile(join(REPO, 'infra/nginx', file), 'utf8'),
    ),
  )
  // nginx's default when neither file sets it.
  const headerTimeoutS = Number(/client_header_timeout\s+(\d+)s/.exec(configs.join('\n'))?.[1] ?? 60)
  const [slow, visitor] = await Promise.all([
    slowloris('127.0.0.1', port, 400, { giveUpMs: (headerTimeoutS + 15) * 1000 }),
    visitFor(stack, 15),
  ])
  const longest = Math.max(...slow.closedAfterMs)
  t.comment(
    `slowloris: ${slow.opened} opened, longest held ${longest} ms; visitor: ${JSON.stringify(visitor)}`,
  )
  t.equal(slow.stillOpen, 0, 'the proxy closed every slow connection')
  t.ok(longest <= (headerTimeoutS + 5) * 1000, `within client_header_timeout (${headerTimeoutS} s)`)
  t.ok(visitor.ok >= visitor.requests * 0.99, `the visitor got ${visitor.ok} of ${visitor.requests} answered`)
  Object.assign(measured, { slow, slowLongestMs: longest, headerTimeoutS, slowVisitor: visitor })
})

step('every replica is the one that started, and within its memory', async (t) => {
  t.same(await replicaLives(stack), lives, 'no replica restarted or was killed for memory')
  const memory = await replicaMemory(stack)
  for (const replica of memory) t.ok(replica.rssBytes < RSS_BOUND_MB * MB)
  measured.final = memory
  t.equal((await waitReady(proxyUrl, 10_000)).json().status, 'ok', 'ready through the proxy')
})

// Only a complete run is a report; a failed step has already failed the suite.
t.test('docs/security.md is written from what was measured', async (t) => {
  const missing = ['posted', 'peaks', 'flood', 'slow', 'final'].filter((key) => !(key in measured))
  if (missing.length > 0) return t.fail(`not measured: ${missing.join(', ')}`)
  const { stdout: commit } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO })
  const report = securityReport({
    ...(measured as Measured),
    date: new Date().toISOString().slice(0, 10),
    commit: commit.trim(),
  })
  await writeFile(join(REPO, 'docs/security.md'), report)
  t.comment(report)
})
