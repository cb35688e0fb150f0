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
