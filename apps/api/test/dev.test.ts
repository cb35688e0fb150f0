import { mkdtempSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { startNode } from './helpers/process.ts'

// `pnpm dev` with nothing installed: no DATABASE_URL, no REDIS_URL.
//
// A sequence on purpose: one dev process lives through the whole file, as a
// developer's does (start, use, edit a file, stop), and each step checks what
// that step does to it. The reload step relies on the message the step before
// wrote, which is the point: the embedded database must outlive a reload.
const dev = startNode(t, ['--conditions=development', 'src/dev.ts'], {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  PGLITE_DATA_DIR: mkdtempSync(join(tmpdir(), 'pglite-')),
})

t.test('it says which data stores it uses, in one line', async (t) => {
  const [line] = await dev.waitFor(/pnpm dev: .*\n/)
  t.match(line, /postgres = embedded PGlite/)
  t.match(line, /cache = in-process memory/)
})

t.test('it serves a message written and read back', async (t) => {
  const [, base] = await dev.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/, 60_000)
  const created = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content: 'zero set-up' }),
  })
  t.equal(created.status, 201)
  const listed = await fetch(`${base}/api/messages`)
  t.equal(listed.status, 200)
  t.match(await listed.json(), { items: [{ content: 'zero set-up' }] })
  const ready = await (await fetch(`${base}/health/ready`)).json()
  t.match(ready, { checks: { postgres: { status: 'ok' }, redis: { status: 'ok', backend: 'memory' } } })
})

t.test('a change to a source file reloads the server, keeping the data', async (t) => {
  const listening = () => dev.output().match(/Server listening at http:\/\/127\.0\.0\.1/g)?.length ?? 0
  const before = listening()
  const file = new URL('../../../packages/cache/src/cache.ts', import.meta.url)
  const now = new Date()
  utimesSync(file, now, now)
  const deadline = Date.now() + 20_000
  while (listening() === before && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(listening(), before + 1, 'restarted once')
  const matches = [...dev.output().matchAll(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/g)]
  const base = matches.at(-1)?.[1]
  const listed = await fetch(`${base}/api/messages`)
  t.match(
    await listed.json(),
    { items: [{ content: 'zero set-up' }] },
    'the embedded database outlived the reload',
  )
})

t.test('SIGTERM stops the server it started, then the embedded database', async (t) => {
  dev.child.kill('SIGTERM')
  t.equal(await dev.exited(), 0)
  t.match(dev.output(), /draining, then shutting down/, 'the server shut down gracefully')
})
