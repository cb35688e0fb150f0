import type { Config } from '@app/config'
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import secureJson from 'secure-json-parse'
import { HttpProblem } from './errors.ts'

const WRITES = new Set(['POST', 'PUT', 'PATCH'])
const JSON_TYPE = /^application\/json\s*(?:;|$)/i

/**
 * How deep `text` nests arrays and objects, counted without parsing (strings
 * skipped), stopping as soon as it passes `max`: a body of 16 KB can nest
 * 16 000 levels, and deep values overflow the stack of whatever walks them
 * (a 5 000-level array made the idempotency fingerprint throw: a 500).
 */
export function nestingDepth(text: string, max: number): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      depth++
      if (depth > deepest) deepest = depth
      if (deepest > max) return deepest
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return deepest
}

/**
 * Bodies are JSON or nothing:
 * - every write must say `Content-Type: application/json`, with a body or
 *   without: that is what a page on another origin cannot send without a
 *   CORS preflight (a form, or a no-cors fetch, is refused with 415);
 * - an empty body is refused, as Fastify does (a visit sends `{}`);
 * - a body nested deeper than JSON_MAX_DEPTH is refused before it is parsed;
 * - `__proto__` and `constructor.prototype` keys are refused, as Fastify does.
 */
export default fp(
  async function jsonBody(app: FastifyInstance, { config }: { config: Config }) {
    const maxDepth = config.http.jsonMaxDepth
    app.addHook('onRequest', async (request: FastifyRequest) => {
      if (WRITES.has(request.method) && !JSON_TYPE.test(request.headers['content-type'] ?? '')) {
        throw new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(request.headers['content-type'] ?? 'none')
      }
    })
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      const text = body as string
      if (text.trim() === '') return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined)
      if (nestingDepth(text, maxDepth) > maxDepth) {
        return done(
          new HttpProblem(400, 'JSON_TOO_DEEP', `JSON body nested deeper than ${maxDepth} levels`),
          undefined,
        )
      }
      try {
        done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }))
      } catch {
        done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined)
      }
    })
  },
  { name: 'json-body', fastify: '5.x', dependencies: ['errors'] },
)
