import Type, { type TSchema } from 'typebox'

/**
 * A `$ref` to a schema registered with `addSchema`, typed as the schema itself:
 * the OpenAPI document gets a named component (and generated clients a named
 * type) while handlers keep full type inference.
 */
export function ref<T extends TSchema>(schema: T): T {
  const id = (schema as { $id?: unknown }).$id
  if (typeof id !== 'string') throw new Error('ref() needs a schema with an $id')
  return Type.Ref(id) as unknown as T
}
