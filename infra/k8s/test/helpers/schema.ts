import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as clientModels from '@kubernetes/client-node/dist/gen/models/all.js'
import type { K8sObject } from './render.ts'
import { unknownFields } from './unknown-fields.ts'

/**
 * The Kubernetes release the manifests are validated against. Both schema
 * sources are generated from its OpenAPI document:
 * - kubernetes-models: JSON Schema validators (types, required fields, enums,
 *   formats, int-or-string). It merges older releases' definitions under the
 *   newest, so on its own it accepts removed API versions and unknown fields.
 * - @kubernetes/client-node: every definition's fields of exactly this
 *   release, which rejects both (unknown-fields.ts).
 */
export const KUBERNETES_VERSION = '1.36'

type Models = Record<string, { attributeTypeMap?: { baseName: string; type: string }[] }>
const models = clientModels as unknown as Models

/** The release @kubernetes/client-node was generated from ("release-1.36"). */
export function clientModelsRelease(): string | undefined {
  const file = fileURLToPath(import.meta.resolve('@kubernetes/client-node/dist/gen/models/V1Pod.js'))
  return /OpenAPI spec version: release-(\S+)/.exec(readFileSync(file, 'utf8'))?.[1]
}

const pascal = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

/** The definition an apiVersion/kind names in this release, if it serves it. */
export function definitionOf(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion]
  // Definitions are named version + kind, prefixed with the group where two groups share a kind.
  const candidates = [
    `${pascal(version ?? '')}${kind}`,
    `${pascal(group?.split('.')[0] ?? '')}${pascal(version ?? '')}${kind}`,
  ]
  return candidates.find((name) => models[name]?.attributeTypeMap !== undefined)
}

interface ModelClass {
  new (data: unknown): { validate(): void }
}

/** kubernetes-models' validator for an apiVersion/kind (a module per kind). */
async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const specifier = `kubernetes-models/${apiVersion}/${kind}`
  try {
    const module = (await import(specifier)) as Record<string, ModelClass>
    return module[kind]
  } catch {
    return undefined
  }
}

/** Every way the object departs from the pinned release's schemas; empty when valid. */
export async function schemaErrors(object: K8sObject): Promise<string[]> {
  const { apiVersion, kind } = object
  const definition = definitionOf(apiVersion, kind)
  const Model = await modelClass(apiVersion, kind)
  if (definition === undefined || Model === undefined) {
    return [`${apiVersion} ${kind} is not served by Kubernetes ${KUBERNETES_VERSION}`]
  }
  const errors = validateWith(Model, object)
  unknownFields(object, definition, models, errors)
  return errors
}

/** kubernetes-models' verdict alone (the negative tests show what it lets through). */
export async function modelErrors(object: K8sObject): Promise<string[]> {
  const Model = await modelClass(object.apiVersion, object.kind)
  return Model === undefined
    ? [`no kubernetes-models class for ${object.apiVersion} ${object.kind}`]
    : validateWith(Model, object)
}

function validateWith(Model: ModelClass, object: K8sObject): string[] {
  try {
    new Model(object).validate()
    return []
  } catch (error) {
    return [(error as Error).message]
  }
}
