import type { FastifyReply } from 'fastify'
import type { TSchema } from 'typebox'
import { ref } from './ref.ts'

/** A documented JSON response: a named component body and, optionally, headers. */
export function jsonResponse<T extends TSchema>(
  description: string,
  schema: T,
  headers?: Record<string, TSchema>,
) {
  return {
    description,
    ...(headers && { headers }),
    content: { 'application/json': { schema: ref(schema) } },
  }
}

/**
 * `value` as this route's compiled serializer (fast-json-stringify, from the
 * documented 200 schema) writes it: what Fastify would send, produced once so
 * the bytes can be cached and sent again as they are.
 */
export function serializeOk(reply: FastifyReply, value: unknown): string {
  const serialize = reply.getSerializationFunction('200', 'application/json')
  if (!serialize) throw new Error(`no 200 application/json schema on ${reply.request.routeOptions.url}`)
  return serialize(value as Record<string, unknown>)
}
