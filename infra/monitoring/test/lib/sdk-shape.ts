import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import ts from 'typescript'

// The dashboard JSON checked against the Grafana Foundation SDK's own type
// declarations (dist/<package>/types.gen.d.ts): every key an object has is a
// property of the SDK's interface for it, and every required property is there.

const require = createRequire(import.meta.url)
const DIST = dirname(require.resolve('@grafana/grafana-foundation-sdk/dashboard')).replace(/\/dashboard$/, '')

interface Shape {
  keys: Set<string>
  required: Set<string>
}

const files = new Map<string, ts.SourceFile>()
function source(pkg: string): ts.SourceFile {
  let file = files.get(pkg)
  if (!file) {
    const path = join(DIST, pkg, 'types.gen.d.ts')
    file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)
    files.set(pkg, file)
  }
  return file
}

/** The properties of interface `name` in the SDK package `pkg`, following `type X = other.Y` aliases. */
export function sdkShape(pkg: string, name: string): Shape {
  for (const statement of source(pkg).statements) {
    if (ts.isInterfaceDeclaration(statement) && statement.name.text === name) {
      const shape: Shape = { keys: new Set(), required: new Set() }
      for (const member of statement.members) {
        if (!ts.isPropertySignature(member) || !member.name) continue
        const key = member.name.getText().replace(/^["']|["']$/g, '')
        shape.keys.add(key)
        if (!member.questionToken) shape.required.add(key)
      }
      return shape
    }
    if (ts.isTypeAliasDeclaration(statement) && statement.name.text === name) {
      const target = statement.type.getText()
      const match = /^(\w+)\.(\w+)$/.exec(target)
      if (match) return sdkShape(match[1] as string, match[2] as string)
    }
  }
  throw new Error(`no interface ${name} in ${pkg}/types.gen.d.ts`)
}

/** Problems of `value` as an SDK `pkg.name`: unknown keys, missing required ones. */
export function shapeProblems(value: unknown, pkg: string, name: string, where: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where}: not an object`]
  const shape = sdkShape(pkg, name)
  const problems: string[] = []
  for (const key of Object.keys(value)) {
    if (!shape.keys.has(key)) problems.push(`${where}: ${key} is not a property of ${pkg}.${name}`)
  }
  for (const key of shape.required) {
    if (!(key in value)) problems.push(`${where}: ${pkg}.${name} requires ${key}`)
  }
  return problems
}
