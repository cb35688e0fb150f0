import type { K8sObject, Overlay, Release } from '../helpers/render.ts'
import type { Check } from '../policy/index.ts'

/** A careless edit of a rendered overlay, and what the check must then say. */
export interface Breakage {
  check: Check
  overlay: Overlay
  does: string
  /** Each must match one of the problems reported. */
  expect: RegExp | RegExp[]
  breaks: (find: Finder, release: Release) => void
}

/** The object of that kind and name in the copy being broken (throws when absent). */
export type Finder = (kind: string, name: string) => K8sObject

// biome-ignore lint/suspicious/noExplicitAny: a pod spec, edited freely
export const pod = (object: K8sObject): any => object.spec.template.spec
export const api = (find: Finder) => pod(find('Deployment', 'api')).containers[0]
export const job = (find: Finder) => find('Job', 'api-migrate-0.1.0')
export const policy = (find: Finder, name: string) => find('NetworkPolicy', name).spec
