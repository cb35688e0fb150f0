import { service } from '../helpers/facts.ts'
import type { Release } from '../helpers/render.ts'
import { type Container, containersOf, type PodTemplate, podTemplates, where } from '../helpers/workloads.ts'

// The volume types the restricted Pod Security Standard allows.
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
])

const podLevel = (template: PodTemplate) => template.spec.securityContext ?? {}

function containerBreaksRestricted(template: PodTemplate, container: Container): string[] {
  const pod = podLevel(template)
  const context = container.securityContext ?? {}
  const seccomp = context.seccompProfile?.type ?? pod.seccompProfile?.type
  const added = context.capabilities?.add ?? []
  return [
    (context.runAsNonRoot ?? pod.runAsNonRoot) === true ? [] : ['runAsNonRoot is not true'],
    (context.runAsUser ?? pod.runAsUser) === 0 ? ['runs as uid 0'] : [],
    context.allowPrivilegeEscalation === false ? [] : ['allowPrivilegeEscalation is not false'],
    context.privileged === true ? ['is privileged'] : [],
    (context.capabilities?.drop ?? []).includes('ALL') ? [] : ['does not drop ALL capabilities'],
    added.every((c: string) => c === 'NET_BIND_SERVICE') ? [] : [`adds capabilities ${added}`],
    seccomp === 'RuntimeDefault' || seccomp === 'Localhost' ? [] : ['has no RuntimeDefault seccomp profile'],
    (container.ports ?? []).some((p: { hostPort?: number }) => p.hostPort) ? ['uses a host port'] : [],
    [undefined, 'Default'].includes(context.procMount) ? [] : ['unmasks /proc'],
    [context.appArmorProfile?.type, pod.appArmorProfile?.type].includes('Unconfined')
      ? ['is AppArmor-unconfined']
      : [],
    context.seLinuxOptions?.user || context.seLinuxOptions?.role ? ['sets an SELinux user or role'] : [],
  ]
    .flat()
    .map((problem) => `${where(template, container)} ${problem}`)
}

/** Every pod template meets the restricted Pod Security Standard. */
export function podsMeetRestrictedStandard({ all }: Release): string[] {
  return podTemplates(all).flatMap((template) => {
    const { spec } = template
    const host = ['hostNetwork', 'hostPID', 'hostIPC'].filter((field) => spec[field] === true)
    const volumes = (spec.volumes ?? []).flatMap((volume: Record<string, unknown>) =>
      Object.keys(volume).filter((key) => key !== 'name' && !RESTRICTED_VOLUMES.has(key)),
    )
    const sysctls = (spec.securityContext?.sysctls ?? []).map((sysctl: { name: string }) => sysctl.name)
    return [
      host.map((field) => `${where(template)} sets ${field}`),
      sysctls.map((name: string) => `${where(template)} sets sysctl ${name}`),
      volumes.map((type: string) => `${where(template)} mounts a ${type} volume`),
      containersOf(template).flatMap((container) => containerBreaksRestricted(template, container)),
    ].flat()
  })
}

/** Every container's root filesystem is read-only; what they write goes to emptyDirs with a size limit. */
export function rootFilesystemsAreReadOnly({ all }: Release): string[] {
  return podTemplates(all).flatMap((template) => [
    ...containersOf(template)
      .filter((container) => container.securityContext?.readOnlyRootFilesystem !== true)
      .map((container) => `${where(template, container)} has a writable root filesystem`),
    ...(template.spec.volumes ?? [])
      .filter(
        (volume: { emptyDir?: { sizeLimit?: string } }) => volume.emptyDir && !volume.emptyDir.sizeLimit,
      )
      .map((volume: { name: string }) => `${where(template)} emptyDir ${volume.name} has no sizeLimit`),
  ])
}

/** The api and the migration run as the image's user (service.json) and mount no service account token. */
export function apiRunsAsServiceUser({ all }: Release): string[] {
  const ours = podTemplates(all).filter((t) =>
    ['api', 'api-migrate'].includes(t.labels['app.kubernetes.io/name'] ?? ''),
  )
  if (ours.length < 2) return ['the api Deployment or the migration Job is missing']
  return ours.flatMap((template) => {
    const { runAsUser, runAsGroup } = podLevel(template)
    return [
      runAsUser === service.user.uid && runAsGroup === service.user.gid
        ? []
        : [`${where(template)} is not uid/gid ${service.user.uid}/${service.user.gid}`],
      template.spec.automountServiceAccountToken === false ? [] : [`${where(template)} mounts a token`],
    ].flat()
  })
}
