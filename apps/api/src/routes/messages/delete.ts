import { deleteMessage } from '@app/db'
import type { FastifyInstance } from 'fastify'
import { ADMIN_SECURITY_SCHEME } from '../../plugins/admin-auth.ts'
import { HttpProblem } from '../../plugins/errors.ts'
import { limitedWrite } from '../../plugins/rate-limit.ts'
import { MessageParams } from '../../schemas/messages.ts'
import {
  dependencyUnavailable,
  internalError,
  problemResponse,
  rateLimitHeaders,
  tooManyWrites,
} from '../../schemas/problem.ts'
import type { Board } from './board.ts'

const INSTANCE = '/api/messages/42'

const schema = {
  tags: ['messages'],
  operationId: 'deleteMessage',
  summary: 'Remove a message (moderators)',
  description:
    'Deletes the message and drops every cached page of the list, on every replica, so no read ' +
    'shows it again. Needs a moderator bearer token (ADMIN_TOKEN); each deletion is logged with the ' +
    "token's id.",
  security: [{ [ADMIN_SECURITY_SCHEME]: [] }],
  params: MessageParams,
  response: {
    204: { description: 'Deleted', headers: rateLimitHeaders, type: 'null' },
    400: problemResponse('The id is not an integer from 1 to 2147483647', {
      status: 400,
      detail: "params field 'id' must be integer",
      instance: '/api/messages/abc',
      code: 'VALIDATION_FAILED',
      errors: [{ in: 'params', field: 'id', message: 'must be integer' }],
    }),
    401: {
      ...problemResponse('No `Authorization: Bearer` token was sent', {
        status: 401,
        detail: 'A moderator bearer token is required',
        instance: INSTANCE,
        code: 'UNAUTHORIZED',
      }),
      headers: { 'www-authenticate': { type: 'string', description: 'Bearer realm="moderation"' } },
    },
    403: problemResponse('The token is not one of ADMIN_TOKEN (or none is configured)', {
      status: 403,
      detail: 'This token may not moderate',
      instance: INSTANCE,
      code: 'FORBIDDEN',
    }),
    404: problemResponse('No message has this id (it may have been deleted already)', {
      status: 404,
      detail: 'message 42 does not exist',
      instance: INSTANCE,
      code: 'MESSAGE_NOT_FOUND',
    }),
    414: problemResponse('The id is longer than the router accepts (100 characters)'),
    429: tooManyWrites(INSTANCE),
    500: internalError(INSTANCE),
    503: dependencyUnavailable('Postgres is unavailable', INSTANCE),
  },
}

/** DELETE /api/messages/:id, behind a moderator's token. */
export function deleteMessageRoute(app: FastifyInstance, { publishFirstPage }: Board) {
  app.delete<{ Params: { id: number } }>(
    '/messages/:id',
    { schema, config: limitedWrite, onRequest: app.requireAdmin },
    async (request, reply) => {
      const { id } = request.params
      const { deleted, revision } = await deleteMessage(app.db, id)
      if (!deleted) throw new HttpProblem(404, 'MESSAGE_NOT_FOUND', `message ${id} does not exist`)
      request.log.info({ moderator: request.adminId, messageId: id }, 'message deleted')
      // As after a post: every page that showed it is dropped on every replica (the new first page is left).
      await publishFirstPage(revision)
      return reply.code(204).send()
    },
  )
}
