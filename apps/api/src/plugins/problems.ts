import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Static } from 'typebox'
import { HttpProblem, isDependencyUnavailable, statusTitle } from '../problems.ts'
import { PROBLEM_CONTENT_TYPE, type Problem } from '../schemas/problem.ts'

type ProblemBody = Static<typeof Problem>
type FieldError = NonNullable<ProblemBody['errors']>[number]

/** Every error leaves as RFC 9457 problem+json, without stack traces. */
export default fp(
  async function problems(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.validation) {
        const errors = error.validation.map(
          (issue): FieldError => ({
            in: error.validationContext ?? 'request',
            field: fieldName(issue.instancePath, issue.params),
            message: issue.keyword === 'required' ? 'is required' : (issue.message ?? 'is invalid'),
          }),
        )
        const [first] = errors
        const detail = first ? `${first.in} field '${first.field}' ${first.message}` : error.message
        return sendProblem(reply, request, 400, 'VALIDATION_FAILED', detail, errors)
      }
      if (error instanceof HttpProblem) {
        return sendProblem(reply, request, error.statusCode, error.code, error.message)
      }
      if (isDependencyUnavailable(error)) {
        request.log.warn({ err: error }, 'dependency unavailable')
        reply.header('retry-after', '1')
        return sendProblem(
          reply,
          request,
          503,
          'DEPENDENCY_UNAVAILABLE',
          'A backing service is unavailable; retry shortly',
        )
      }
      const status = error.statusCode ?? 500
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed')
        return sendProblem(reply, request, status, 'INTERNAL_ERROR', 'An unexpected error occurred')
      }
      // Fastify's own 4xx errors (body too large, media type, bad JSON) carry a clear message.
      return sendProblem(reply, request, status, error.code ?? 'BAD_REQUEST', error.message)
    })

    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        request,
        404,
        'ROUTE_NOT_FOUND',
        `No route for ${request.method} ${request.url.split('?')[0]}`,
      ),
    )
  },
  { name: 'problems' },
)

/**
 * Errors the router raises before any route or error handler runs: a path
 * that is not valid percent-encoding (400) or a path parameter longer than
 * the router's limit (414). Passed to Fastify as `frameworkErrors`.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(reply, request, error.statusCode ?? 400, error.code, error.message)
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: string,
  detail: string,
  errors?: FieldError[],
) {
  const body: ProblemBody = {
    type: 'about:blank',
    title: statusTitle(status),
    status,
    detail,
    instance: request.url.split('?')[0] ?? request.url,
    code,
    ...(errors && { errors }),
  }
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body)
}

function fieldName(instancePath: string, params: Record<string, unknown>): string {
  const named = params.missingProperty ?? params.additionalProperty
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.')
  return [path, typeof named === 'string' ? named : undefined].filter(Boolean).join('.') || '(root)'
}
