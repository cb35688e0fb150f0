import { getMessage } from '@app/db'
import type { FastifyInstance } from 'fastify'
import { HttpProblem } from '../../plugins/errors.ts'
import { Message, MessageParams } from '../../schemas/messages.ts'
import { dependencyUnavailable, internalError, problemResponse, tooManyReads } from '../../schemas/problem.ts'
import { jsonResponse } from '../../schemas/responses.ts'
import { toMessage } from './board.ts'

const schema = {
  tags: ['messages'],
  operationId: 'getMessage',
  summary: 'Read one message',
  params: MessageParams,
  response: {
    200: jsonResponse('The message', Message),
    400: problemResponse('The id is not an integer from 1 to 2147483647, or not valid in a URL', {
      status: 400,
      detail: "params field 'id' must be integer",
      instance: '/api/messages/abc',
      code: 'VALIDATION_FAILED',
      errors: [{ in: 'params', field: 'id', message: 'must be integer' }],
    }),
    404: problemResponse('No message has this id', {
      status: 404,
      detail: 'message 42 does not exist',
      instance: '/api/messages/42',
      code: 'MESSAGE_NOT_FOUND',
    }),
    414: problemResponse('The id is longer than the router accepts (100 characters)'),
    429: tooManyReads('/api/messages/42'),
    500: internalError('/api/messages/42'),
    503: dependencyUnavailable('Postgres is unavailable', '/api/messages/42'),
  },
}

/** GET /api/messages/:id */
export function getMessageRoute(app: FastifyInstance) {
  app.get<{ Params: { id: number } }>('/messages/:id', { schema }, async (request) => {
    const message = await getMessage(app.db, request.params.id)
    if (!message)
      throw new HttpProblem(404, 'MESSAGE_NOT_FOUND', `message ${request.params.id} does not exist`)
    return toMessage(message)
  })
}
