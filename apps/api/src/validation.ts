import AjvCompiler from '@fastify/ajv-compiler'
import type { FastifyServerOptions } from 'fastify'

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>
type RouteCompiler = (route: { httpPart?: string }) => unknown

// One pool: it keeps a separate Ajv instance per distinct set of options.
const buildFromPool = AjvCompiler() as unknown as (schemas: unknown, options: unknown) => RouteCompiler

/**
 * Query strings and params arrive as text and need type coercion; JSON bodies
 * do not, and coercing them would accept `{"content": 123}` as "123".
 */
export const buildValidator = ((externalSchemas: unknown, ajvOptions: unknown) => {
  const options = (ajvOptions ?? {}) as { customOptions?: object }
  const coercing = buildFromPool(externalSchemas, { ...options, customOptions: { ...options.customOptions } })
  const strict = buildFromPool(externalSchemas, {
    ...options,
    customOptions: { ...options.customOptions, coerceTypes: false },
  })
  return (route: { httpPart?: string }) => (route.httpPart === 'body' ? strict : coercing)(route)
}) as unknown as ValidatorFactory
