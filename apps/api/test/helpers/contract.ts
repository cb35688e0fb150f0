import { readFileSync } from 'node:fs'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

/**
 * Checks responses against the committed apps/api/openapi.json — the
 * document clients are generated from — not against the route schemas, so a
 * response the spec does not promise fails even when Fastify let it through.
 */
const SPEC_ID = 'openapi.json'
const spec = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as Spec

interface Spec {
  paths: Record<string, Record<string, SpecOperation>>
}
interface SpecOperation {
  operationId: string
  responses: Record<
    string,
    { headers?: Record<string, { schema: object }>; content?: Record<string, { schema: object }> }
  >
}

export interface ObservedResponse {
  status: number
  headers: Record<string, string | string[] | number | undefined>
  /** The raw body text: it must parse as JSON for every documented response. */
  body: string
}

// strict: false because the document also holds OpenAPI keywords (paths, info…)
// around the JSON Schemas; only the schemas are compiled.
const ajv = new Ajv2020({ strict: false, allErrors: true })
const headerAjv = new Ajv2020({ strict: false, coerceTypes: true })
for (const instance of [ajv, headerAjv]) {
  addFormats.default(instance)
  instance.addSchema(spec, SPEC_ID)
}

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')

export interface OperationRef {
  operationId: string
  method: string
  /** The path template, e.g. `/api/messages/{id}`. */
  path: string
  statuses: string[]
}

export const operations: OperationRef[] = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    operationId: op.operationId,
    method: method.toUpperCase(),
    path,
    statuses: Object.keys(op.responses),
  })),
)

const validators = new Map<string, ValidateFunction>()
function validator(instance: Ajv2020, location: string): ValidateFunction {
  const key = `${instance === ajv ? 'body' : 'header'}:${location}`
  let validate = validators.get(key)
  if (!validate) {
    const compiled = instance.getSchema(`${SPEC_ID}#/${location}`)
    if (!compiled) throw new Error(`no schema at ${location}`)
    validate = compiled
    validators.set(key, validate)
  }
  return validate
}

/** Every way `response` departs from what the spec documents for the operation; empty when it conforms. */
export function contractViolations(operationId: string, response: ObservedResponse): string[] {
  const op = operations.find((candidate) => candidate.operationId === operationId)
  if (!op) return [`${operationId} is not in the spec`]
  const documented = spec.paths[op.path]?.[op.method.toLowerCase()]?.responses[response.status]
  if (!documented) return [`status ${response.status} is not documented (${op.statuses.join(', ')})`]
  const violations: string[] = []
  const base = pointer('paths', op.path, op.method.toLowerCase(), 'responses', String(response.status))

  const mediaType =
    String(response.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim() ?? ''
  const content = documented.content
  if (content === undefined) {
    // A response documented without content (304) must have none.
    if (response.body !== '') violations.push(`body should be empty: ${response.body.slice(0, 80)}`)
  } else if (!(mediaType in content)) {
    violations.push(`content-type ${mediaType || '(none)'} is not one of ${Object.keys(content).join(', ')}`)
  } else {
    let body: unknown
    try {
      body = JSON.parse(response.body)
    } catch {
      return [...violations, `body is not JSON: ${response.body.slice(0, 80)}`]
    }
    const validate = validator(ajv, `${base}/${pointer('content', mediaType, 'schema')}`)
    if (!validate(body)) {
      violations.push(...(validate.errors ?? []).map((error) => `body${error.instancePath} ${error.message}`))
    }
    if (
      mediaType === 'application/problem+json' &&
      (body as { status?: unknown }).status !== response.status
    ) {
      violations.push('problem body status differs from the HTTP status')
    }
  }

  // Every header this API documents, it always sends (absence is a violation too),
  // but for those it marks `x-conditional` (the description says when).
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    const value = response.headers[name]
    if (value === undefined) {
      if (!(header.schema as { 'x-conditional'?: boolean })['x-conditional'])
        violations.push(`header ${name} is missing`)
      continue
    }
    const validate = validator(headerAjv, `${base}/${pointer('headers', name, 'schema')}`)
    if (!validate(value))
      violations.push(`header ${name}: ${JSON.stringify(value)} ${validate.errors?.[0]?.message}`)
  }
  return violations
}
