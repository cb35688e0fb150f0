import t from 'tap'
import { useDataStores } from './helpers/app.ts'
import { startNode } from './helpers/process.ts'

t.test(
  'SIGTERM: readiness turns 503, requests are still served while draining, then a clean exit',
  async (t) => {
    const stores = await useDataStores(t)
    const server = startNode(t, ['--conditions=development', 'src/server.ts'], {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: stores.databaseUrl,
      REDIS_URL: stores.redisUrl,
      REDIS_KEY_PREFIX: stores.keyPrefix,
      SHUTDOWN_DRAIN_MS: '1500',
    })
    const [, base] = await server.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/)
    t.equal((await fetch(`${base}/health/ready`)).status, 200)

    server.child.kill('SIGTERM')
    await server.waitFor(/draining/)
    const ready = await fetch(`${base}/health/ready`)
    t.equal(ready.status, 503, 'the proxy is told to stop routing here')
    t.match(await ready.json(), { code: 'DRAINING' })
    t.equal((await fetch(`${base}/api/visits`)).status, 200, 'but requests in the drain window are served')

    t.equal(await server.exited(), 0, 'exits 0 after closing')
  },
)

t.test('an invalid environment stops the start with every problem listed', async (t) => {
  const server = startNode(t, ['--conditions=development', 'src/server.ts'], {
    NODE_ENV: 'production',
    PORT: 'eighty',
  })
  t.equal(await server.exited(), 1)
  t.match(server.output(), /PORT: must be integer/)
  t.match(server.output(), /DATABASE_URL: required in production/)
  t.match(server.output(), /REDIS_URL: required in production/)
})
