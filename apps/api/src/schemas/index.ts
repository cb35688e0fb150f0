import type { TSchema } from 'typebox'
import * as health from './health.ts'
import * as messages from './messages.ts'
import * as problem from './problem.ts'
import * as status from './status.ts'
import * as visits from './visits.ts'

type NamedSchema = TSchema & { $id: string }

const isNamedSchema = (value: unknown): value is NamedSchema =>
  typeof value === 'object' && value !== null && typeof (value as { $id?: unknown }).$id === 'string'

/**
 * Every schema with an `$id` that these modules export, for `addSchema`:
 * defining one in a schema module is all it takes to `ref()` it. Sorted by
 * `$id`, so the OpenAPI components do not depend on import order.
 */
export const sharedSchemas: NamedSchema[] = [health, messages, problem, status, visits]
  .flatMap((module) => Object.values(module))
  .filter(isNamedSchema)
  .sort((a, b) => a.$id.localeCompare(b.$id))
