import { randomBytes } from 'node:crypto'
import { PostgreSqlContainer } from '@testcontainers/postgresql'
import pg from 'pg'
import type { Teardown } from './teardown.ts'

/**
 * A fresh, empty database for one test file, so files run in parallel:
 * created on DATABASE_URL's server when it is set, else in a container
 * (POSTGRES_IMAGE, default postgres:17-bookworm).
 */
export async function usePostgres(t: Teardown): Promise<string> {
  const shared = process.env.DATABASE_URL
  if (!shared) {
    const image = process.env.POSTGRES_IMAGE ?? 'postgres:17-bookworm'
    const container = await new PostgreSqlContainer(image).start()
    t.teardown(() => container.stop())
    return container.getConnectionUri()
  }
  const name = `test_${randomBytes(6).toString('hex')}`
  await asAdmin(shared, (admin) => admin.query(`create database ${name}`))
  t.teardown(() => asAdmin(shared, (admin) => admin.query(`drop database if exists ${name} with (force)`)))
  const url = new URL(shared)
  url.pathname = `/${name}`
  return url.toString()
}

async function asAdmin(url: string, run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await run(client)
  } finally {
    await client.end()
  }
}
