import { STATUS_CODES } from 'node:http'
import { CacheUnavailableError } from '@app/cache'
import { isDatabaseUnavailable, WriteQueueFullError } from '@app/db'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { FieldError, ProblemBody } from '../schemas/problem.ts'

/**
 * The one way an error leaves this service: RFC 9457 problem+json, with a
 * stable `code`, the status phrase as `title`, and never a stack trace. Its
 * OpenAPI documentation is schemas/problem.ts.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error'
}

/** An error that becomes a problem+json response with its own status and code. */
export class HttpProblem extends Error {
  readonly statusCode: number
  readonly code: string
  /** Seconds to send as `Retry-After`, for errors a client should retry. */
  readonly retryAfterSeconds: number | undefined
  /** Headers the status calls for, e.g. `WWW-Authenticate` with a 401. */
  readonly headers: Record<string, string>

  constructor(
    statusCode: number,
    code: string,
    detail: string,
    options: { retryAfterSeconds?: number; headers?: Record<string, string> } = {},
  ) {
    super(detail)
    this.name = 'HttpProblem'
    this.statusCode = statusCode
    this.code = code
    this.retryAfterSeconds = options.retryAfterSeconds
    this.headers = options.headers ?? {}
  }
}

export interface ProblemSpec {
  status: number
  code: string
  detail: string
  errors?: FieldError[]
  /** Extension members (RFC 9457 §3.2), e.g. the failed readiness checks. */
  extensions?: Record<string, unknown>
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemSpec) {
  const { status, code, detail, errors, extensions } = problem
  const body: ProblemBody & Record<string, unknown> = {
    type: 'about:blank',
    title: statusTitle(status),
    status,
    detail,
    instance: request.url.split('?')[0] ?? request.url,
    code,
    ...(errors && { errors }),
    ...extensions,
  }
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body)
}

/** A store the request needs did not answer: say 503 so clients retry, not 500. */
export function isDependencyUnavailable(error: unknown): boolean {
  return error instanceof CacheUnavailableError || isDatabaseUnavailable(error)
}

const unavailable = (): ProblemSpec => ({
  status: 503,
  code: 'DEPENDENCY_UNAVAILABLE',
  detail: 'A backing service is unavailable; retry shortly',
})

const overloaded = (): ProblemSpec => ({
  status: 503,
  code: 'OVERLOADED',
  detail: 'The service is overloaded; retry shortly',
})

function toProblem(error: FastifyError, request: FastifyRequest): ProblemSpec {
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
    return { status: 400, code: 'VALIDATION_FAILED', detail, errors }
  }
  if (error instanceof HttpProblem)
    return { status: error.statusCode, code: error.code, detail: error.message }
  if (error instanceof WriteQueueFullError) {
    request.server.meters.loadShed.inc({ reason: 'writeQueueFull' })
    request.log.warn('write queue full, request refused')
    return overloaded()
  }
  if (isDependencyUnavailable(error)) {
    request.log.warn({ err: error }, 'dependency unavailable')
    return unavailable()
  }
  const status = error.statusCode ?? 500
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed')
    return { status, code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred' }
  }
  // Fastify's own 4xx errors (body too large, media type, bad JSON) carry a clear message.
  return { status, code: error.code ?? 'BAD_REQUEST', detail: error.message }
}

function retryAfter(error: FastifyError, problem: ProblemSpec): number | undefined {
  if (error instanceof HttpProblem) return error.retryAfterSeconds
  return problem.code === 'DEPENDENCY_UNAVAILABLE' || problem.code === 'OVERLOADED' ? 1 : undefined
}

export default fp(
  async function errors(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const problem = toProblem(error, request)
      const seconds = retryAfter(error, problem)
      if (seconds !== undefined) reply.header('retry-after', String(seconds))
      if (error instanceof HttpProblem) reply.headers(error.headers)
      return sendProblem(reply, request, problem)
    })

    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, request, {
        status: 404,
        code: 'ROUTE_NOT_FOUND',
        detail: `No route for ${request.method} ${request.url.split('?')[0]}`,
      }),
    )
  },
  { name: 'errors', fastify: '5.x', dependencies: ['metrics'] },
)

/**
 * Errors the router raises before any route or error handler runs: a path
 * that is not valid percent-encoding (400) or a path parameter longer than
 * the router's limit (414). Passed to Fastify as `frameworkErrors`.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id)
  return sendProblem(reply, request, {
    status: error.statusCode ?? 400,
    code: error.code,
    detail: error.message,
  })
}

function fieldName(instancePath: string, params: Record<string, unknown>): string {
  const named = params.missingProperty ?? params.additionalProperty
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.')
  return [path, typeof named === 'string' ? named : undefined].filter(Boolean).join('.') || '(root)'
}
