import { createRequire } from 'node:module'

/**
 * drizzle-orm, loaded as CommonJS (its `.cjs` build: the same code).
 *
 * Node 24 parses a package's whole `exports` map again for every ES module it
 * loads from that package (package_json_reader spreads the lazily parsed
 * field). drizzle-orm's map is 170 KB and a Postgres app loads about a hundred
 * of its modules: as ESM the import took 440 ms and left 160 MB of garbage
 * that the heap kept (RSS 298 MB, against 70 MB and 110 ms as CommonJS, Node
 * 24.21). Node 20 does not have the problem. Every runtime use of drizzle in
 * this package goes through here, so there is one copy of it; types still come
 * from `import type`.
 */
const require = createRequire(import.meta.url)

export const orm = require('drizzle-orm') as typeof import('drizzle-orm')
export const pgCore = require('drizzle-orm/pg-core') as typeof import('drizzle-orm/pg-core')
export const nodePostgres = require('drizzle-orm/node-postgres') as typeof import('drizzle-orm/node-postgres')

/** Only the migrator needs it: loaded on first use. */
export function loadMigrator(): typeof import('drizzle-orm/node-postgres/migrator') {
  return require('drizzle-orm/node-postgres/migrator')
}
