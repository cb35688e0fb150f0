import { createHash } from 'node:crypto'
import type { Config } from '@app/config'
import fastifyBearerAuth from '@fastify/bearer-auth'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { HttpProblem } from './errors.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Route hook: only a moderator's bearer token (ADMIN_TOKEN) gets past it. */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
  interface FastifyRequest {
    /** The id of the token that authorised this request (never the token). */
    adminId?: string
  }
}

export const ADMIN_SECURITY_SCHEME = 'adminToken'
const REALM = 'Bearer realm="moderation"'

const digest = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * Moderators' bearer tokens, compared in constant time by @fastify/bearer-auth.
 * No credentials, or not a bearer token: 401 with `WWW-Authenticate`; a token
 * that is not one of ADMIN_TOKEN's: 403. With no token configured every
 * request is refused. The tokens' ids (their `id:` or a digest) are what the
 * logs name.
 */
export default fp(
  async function adminAuth(app: FastifyInstance, { config }: { config: Config }) {
    const tokens = config.admin.tokens
    await app.register(fastifyBearerAuth, {
      keys: tokens.map(({ token }) => token),
      addHook: false,
      // This plugin logs refusals itself, at warn for a wrong token.
      verifyErrorLogLevel: 'debug',
    })
    // A digest of what was already accepted in constant time: the lookup says only who.
    const idByDigest = new Map(tokens.map(({ id, token }) => [digest(token), id]))
    const verify = app.verifyBearerAuth as NonNullable<typeof app.verifyBearerAuth>

    app.decorate('requireAdmin', async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers.authorization
      if (!header?.startsWith('Bearer ')) {
        request.log.info('moderation refused: no bearer token')
        throw new HttpProblem(401, 'UNAUTHORIZED', 'A moderator bearer token is required', {
          headers: { 'www-authenticate': REALM },
        })
      }
      const accepted = await new Promise<boolean>((resolve) =>
        verify(request, reply, (error) => resolve(!error)),
      )
      if (!accepted) {
        request.log.warn('moderation refused: unknown token')
        throw new HttpProblem(403, 'FORBIDDEN', 'This token may not moderate')
      }
      request.adminId = idByDigest.get(digest(header.slice('Bearer '.length).trim()))
    })
  },
  { name: 'admin-auth', fastify: '5.x', dependencies: ['errors'] },
)
