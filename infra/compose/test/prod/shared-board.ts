import type { Test } from 'tap'
import { inspect, logs, running, sql } from '../../../harness/docker.ts'
import { fetchInside, hostFetch } from '../../../harness/http.ts'
import type { ProdStack } from './prod-stack.ts'

/** Three replicas, one set of migrations, one counter and one board; the proxy uses every replica. */
export async function replicasShareOneBoard(t: Test, { stack, proxyUrl, migrations }: ProdStack) {
  const migrates = await stack.containers('migrate')
  t.equal(migrates.length, 1, 'one migrate container')
  t.match(await logs(migrates[0] as string), /migrations applied/)
  t.equal(
    await sql(stack, 'select count(*) from drizzle.__drizzle_migrations'),
    String(migrations),
    'each migration recorded exactly once',
  )

  const replicas = await running(stack, 'api')
  t.equal(replicas.length, 3, 'three api replicas')

  const start = (await hostFetch(`${proxyUrl}/api/visits`)).json().count as number
  const counts: number[] = []
  for (let i = 0; i < 30; i++) {
    counts.push((await hostFetch(`${proxyUrl}/api/visits`, { method: 'POST', body: {} })).json().count)
  }
  t.same(
    counts,
    Array.from({ length: 30 }, (_, i) => start + i + 1),
    '30 increments through the proxy count 1 by 1 on one counter',
  )
  const addresses = await Promise.all(
    replicas.map(
      async (id) => (await inspect(id)).NetworkSettings.Networks[`${stack.project}_edge`]?.IPAddress,
    ),
  )
  const [proxy] = await running(stack, 'proxy')
  const accessLog = await logs(proxy as string)
  const upstreams = new Set(
    [...accessLog.matchAll(/"POST \/api\/visits [^"]*" 200 .* upstream=([\d.]+):3000/g)].map(
      (match) => match[1],
    ),
  )
  t.same(
    [...upstreams].sort(),
    [...addresses].sort(),
    'the proxy spread the increments over all three replicas',
  )
  for (const [i, id] of replicas.entries()) {
    const reply = await fetchInside(id, 'http://127.0.0.1:3000/api/visits')
    t.equal(reply.json().count, start + 30, `replica ${i + 1} reads the same counter`)
  }

  const [first, ...others] = replicas as [string, ...string[]]
  const viaReplica = await fetchInside(first, 'http://127.0.0.1:3000/api/messages', {
    method: 'POST',
    body: { content: `posted on replica 1 of ${stack.project}` },
  })
  t.equal(viaReplica.status, 201)
  const viaProxy = await hostFetch(`${proxyUrl}/api/messages`, {
    method: 'POST',
    body: { content: 'posted through the proxy' },
  })
  t.equal(viaProxy.status, 201)
  const ids = [viaReplica.json().id, viaProxy.json().id]
  for (const [i, id] of others.entries()) {
    const listed = (await fetchInside(id, 'http://127.0.0.1:3000/api/messages')).json()
    const listedIds = listed.items.map((message: { id: number }) => message.id)
    t.ok(
      ids.every((posted) => listedIds.includes(posted)),
      `replica ${i + 2} lists both messages, the one posted on replica 1 included`,
    )
  }
}
