type Models = Record<string, { attributeTypeMap?: { baseName: string; type: string }[] }>

// Values whose type the schema validator checks; nothing to walk into.
const SCALARS = new Set(['string', 'number', 'boolean', 'Date', 'IntOrString'])
// Free-form in the API (x-kubernetes-preserve-unknown-fields, RawExtension):
// any field is allowed there, as the API server allows it.
const FREE_FORM = new Set(['any', 'object'])

const ARRAY = /^Array<(.+)>$/
const MAP = /^\{ \[key: string\]: (.+); \}$/

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Appends `<path>: unknown field` for every field that `type` (a definition
 * of @kubernetes/client-node, such as "V1Deployment") does not declare, at any
 * depth: what `kubectl apply --validate=strict` refuses. Maps (labels,
 * annotations, ConfigMap data, resource quantities) take any key.
 */
export function unknownFields(
  value: unknown,
  type: string,
  models: Models,
  errors: string[],
  path = '',
): void {
  if (value === undefined || value === null || SCALARS.has(type) || FREE_FORM.has(type)) return
  for (const [child, childType, childPath] of children(value, type, models, errors, path)) {
    unknownFields(child, childType, models, errors, childPath)
  }
}

/** What to walk into next: items, map values, or declared fields (reporting undeclared ones). */
function children(value: unknown, type: string, models: Models, errors: string[], path: string) {
  const next: [unknown, string, string][] = []
  const item = ARRAY.exec(type)?.[1]
  const entry = MAP.exec(type)?.[1]
  if (item !== undefined) {
    return Array.isArray(value)
      ? value.map((v, i): [unknown, string, string] => [v, item, `${path}[${i}]`])
      : next
  }
  if (entry !== undefined) {
    if (isObject(value)) for (const [k, v] of Object.entries(value)) next.push([v, entry, `${path}.${k}`])
    return next
  }
  const fields = models[type]?.attributeTypeMap
  if (fields === undefined) {
    errors.push(`${path || '.'}: no definition ${type} to check against`)
    return next
  }
  if (!isObject(value)) return next // a type error, which the schema validator reports
  const declared = new Map(fields.map((field) => [field.baseName, field.type]))
  for (const [key, child] of Object.entries(value)) {
    const childType = declared.get(key)
    if (childType === undefined) errors.push(`${path}.${key}: unknown field`)
    else next.push([child, childType, `${path}.${key}`])
  }
  return next
}
