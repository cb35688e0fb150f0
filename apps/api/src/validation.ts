import AjvCompiler from '@fastify/ajv-compiler'
import type { FastifyServerOptions } from 'fastify'

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>
type Validate = ((data: unknown) => boolean) & { errors?: unknown }
type RouteCompiler = (route: { httpPart?: string }) => Validate

// One pool: it keeps a separate Ajv instance per distinct set of options.
const buildFromPool = AjvCompiler() as unknown as (schemas: unknown, options: unknown) => RouteCompiler

/**
 * Query strings and params arrive as text and need type coercion; JSON bodies
 * do not, and coercing them would accept `{"content": 123}` as "123". Bodies
 * are also not pruned: a property the schema forbids is a 400, as the spec's
 * `additionalProperties: false` says, not silently dropped.
 */
export const buildValidator = ((externalSchemas: unknown, ajvOptions: unknown) => {
  const options = (ajvOptions ?? {}) as { customOptions?: object }
  const coercing = buildFromPool(externalSchemas, { ...options, customOptions: { ...options.customOptions } })
  const strict = buildFromPool(externalSchemas, {
    ...options,
    customOptions: { ...options.customOptions, coerceTypes: false, removeAdditional: false },
  })
  return (route: { httpPart?: string }) =>
    route.httpPart === 'body' ? strict(route) : finiteOnly(coercing(route))
}) as unknown as ValidatorFactory

/**
 * Ajv coerces the text "Infinity" or "1e999" to ±Infinity, which then passes
 * `type: integer` and skips minimum/maximum (its range checks only run on
 * finite numbers): `?limit=1e999` reached the SQL LIMIT as a 500. Coerced
 * values must be finite.
 */
function finiteOnly(validate: Validate): Validate {
  const checked: Validate = (data) => {
    const valid = validate(data)
    checked.errors = validate.errors
    if (!valid || data === null || typeof data !== 'object') return valid
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        checked.errors = [
          { keyword: 'type', instancePath: `/${key}`, schemaPath: '', params: {}, message: 'must be finite' },
        ]
        return false
      }
    }
    return true
  }
  return checked
}
