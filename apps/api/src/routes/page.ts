import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { isNotModified } from '../cached-reply.ts'
import { documentSecurityHeaders } from '../plugins/security-headers.ts'

/** apps/api/public, from src/routes and from dist/routes alike. */
const PUBLIC_DIR = join(import.meta.dirname, '..', '..', 'public')
const ASSETS_DIR = join(PUBLIC_DIR, 'assets')

/**
 * The page at `/`: public/index.html and the files of public/assets, with no
 * build step. Asset URLs get a hash of the assets' content
 * (`/assets/<hash>/app.js`), so browsers keep them for a year and a deploy
 * that changes them changes the URL; the HTML itself is always revalidated.
 */
async function page(app: FastifyInstance) {
  await documentSecurityHeaders(app)
  const names = (await readdir(ASSETS_DIR)).sort()
  const files = await Promise.all(names.map((name) => readFile(join(ASSETS_DIR, name))))
  const prefix = `/assets/${contentHash([...names, ...files])}/`
  const html = (await readFile(join(PUBLIC_DIR, 'index.html'), 'utf8')).replaceAll('"/assets/', `"${prefix}`)
  const etag = `"${contentHash([html])}"`

  await app.register(fastifyStatic, {
    root: ASSETS_DIR,
    prefix,
    // One route per file found now: no file-system lookup for arbitrary paths.
    wildcard: false,
    index: false,
    decorateReply: false,
    immutable: true,
    maxAge: '365d',
  })

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    reply.header('cache-control', 'no-cache').header('etag', etag)
    if (isNotModified(request.headers['if-none-match'], etag)) return reply.code(304).send()
    return reply.type('text/html; charset=utf-8').send(html)
  })
}

/** 12 hex digits of SHA-256: changes whenever any part does. */
function contentHash(parts: (string | Buffer)[]): string {
  const digest = createHash('sha256')
  for (const part of parts) digest.update(part)
  return digest.digest('hex').slice(0, 12)
}

export default fp(page, {
  name: 'routes/page',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['security-headers'],
})
