import type { Static, TSchema } from 'typebox'

/** Parsed values of every variable, by name: what a setting may derive its value from. */
export type ParsedEnv = Readonly<Record<string, unknown>>

/** Thrown by a derive function: the variable's value is unusable, for this reason. */
export class SettingIssue extends Error {}

/**
 * One environment variable: its name, schema (with the default, if it has
 * one), what it means, and how its value becomes the config's.
 */
export interface Setting<Out = unknown> {
  readonly variable: string
  readonly schema: TSchema
  readonly doc: string
  /** Unset and without a schema default is allowed: the value is then undefined. */
  readonly optional: boolean
  /** Also read from the file `<variable>_FILE` names (Docker/Compose secrets). */
  readonly secret: boolean
  readonly requiredInProduction: boolean
  /** How the default reads in the docs when it depends on other variables. */
  readonly defaultDoc: string | undefined
  readonly derive: (value: unknown, env: ParsedEnv) => Out
}

interface SettingOptions {
  secret?: boolean
  requiredInProduction?: boolean
}

function define<Out>(
  variable: string,
  schema: TSchema,
  doc: string,
  optional: boolean,
  options: SettingOptions,
) {
  const setting: Setting<Out> = {
    variable,
    schema,
    doc,
    optional,
    secret: options.secret ?? false,
    requiredInProduction: options.requiredInProduction ?? false,
    defaultDoc: undefined,
    derive: (value) => value as Out,
  }
  return setting
}

/** A variable with a default in its schema: always has a value. */
export function setting<S extends TSchema>(
  variable: string,
  schema: S,
  doc: string,
  options: SettingOptions = {},
) {
  return define<Static<S>>(variable, schema, doc, false, options)
}

/** A variable that may be unset. */
export function optional<S extends TSchema>(
  variable: string,
  schema: S,
  doc: string,
  options: SettingOptions = {},
) {
  return define<Static<S> | undefined>(variable, schema, doc, true, options)
}

/** The same variable, its value computed from its own and other variables (say how in `defaultDoc`). */
export function derived<In, Out>(
  base: Setting<In>,
  derive: (value: In, env: ParsedEnv) => Out,
  defaultDoc?: string,
): Setting<Out> {
  return { ...base, defaultDoc, derive: (value, env) => derive(base.derive(value, env), env) }
}

/** A group of settings and nested groups, in the shape the config takes. */
export interface SettingsTree {
  readonly [key: string]: Setting | SettingsTree
}

/** The config a tree of settings produces: each setting replaced by its value. */
export type ConfigOf<T> = { readonly [K in keyof T]: T[K] extends Setting<infer Out> ? Out : ConfigOf<T[K]> }

export function isSetting(node: Setting | SettingsTree): node is Setting {
  return typeof (node as Setting).variable === 'string' && 'derive' in node
}

/** Every setting of a tree with its path, in declaration order. */
export function flatten(tree: SettingsTree, path: string[] = []): { path: string[]; setting: Setting }[] {
  return Object.entries(tree).flatMap(([key, node]) =>
    isSetting(node) ? [{ path: [...path, key], setting: node }] : flatten(node, [...path, key]),
  )
}
