import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { run } from '../../../harness/run.ts'
import { K8S_DIR } from './facts.ts'

export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
  }
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are walked freely by the checks
  [field: string]: any
}

export const OVERLAYS = ['dev', 'prod'] as const
export type Overlay = (typeof OVERLAYS)[number]

/** One overlay as a user applies it: the migration Job, then the app. */
export interface Release {
  overlay: Overlay
  migrate: K8sObject[]
  app: K8sObject[]
  all: K8sObject[]
}

let kubectlChecked: Promise<unknown> | undefined

/** Fails with what to do rather than an exit code when kubectl is missing (CI installs none). */
function requireKubectl(): Promise<unknown> {
  kubectlChecked ??= run('kubectl', ['version', '--client'], { timeoutMs: 30_000 }).catch(() => {
    throw new Error('kubectl (with its built-in Kustomize v5) must be on PATH for the k8s tests')
  })
  return kubectlChecked
}

/** `kubectl kustomize` (offline: it never contacts a cluster), parsed. */
export async function kustomize(dir: string): Promise<K8sObject[]> {
  await requireKubectl()
  const { stdout } = await run('kubectl', ['kustomize', join(K8S_DIR, dir)], { timeoutMs: 60_000 })
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: ${doc.errors[0]?.message}`)
    return doc.toJS() as K8sObject
  })
}

const releases = new Map<Overlay, Promise<Release>>()

/** Rendered once per test process; callers that mutate must clone first. */
export function render(overlay: Overlay): Promise<Release> {
  let release = releases.get(overlay)
  if (release === undefined) {
    release = Promise.all([kustomize(`overlays/${overlay}/migrate`), kustomize(`overlays/${overlay}`)]).then(
      ([migrate, app]) => ({ overlay, migrate, app, all: [...migrate, ...app] }),
    )
    releases.set(overlay, release)
  }
  return release
}

export const label = (object: K8sObject) => `${object.kind}/${object.metadata.name}`
