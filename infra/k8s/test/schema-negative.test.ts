import t, { type Test } from 'tap'
import { type K8sObject, render } from './helpers/render.ts'
import { modelErrors, schemaErrors } from './helpers/schema.ts'
import { clone, named } from './helpers/workloads.ts'

// The validation must be able to fail: each case breaks a rendered object
// the way a typo or a stale example would, and expects it refused.

const { app } = await render('prod')
const copy = (kind: string, name: string) => clone(named(app, kind, name)) as K8sObject
const deployment = () => copy('Deployment', 'api')
const container = (object: K8sObject) => object.spec.template.spec.containers[0]

async function refused(t: Test, what: string, object: K8sObject, pattern: RegExp) {
  const errors = await schemaErrors(object)
  t.match(errors.join('\n'), pattern, `${what}: ${errors.join('; ') || 'accepted'}`)
}

t.test('a misspelled field deep in a pod template is refused', async (t) => {
  const object = deployment()
  container(object).imagePullPolcy = container(object).imagePullPolicy
  await refused(t, 'imagePullPolcy', object, /containers\[0\]\.imagePullPolcy: unknown field/)
  // Why unknown-fields.ts exists: the JSON Schema validators alone let it through.
  t.same(await modelErrors(object), [], 'kubernetes-models on its own accepts it')
})

t.test('a misspelled field in metadata and at the top level is refused', async (t) => {
  const object = deployment()
  Object.assign(object.metadata, { lables: { a: 'b' } })
  object.sepc = {}
  await refused(t, 'lables', object, /\.metadata\.lables: unknown field/)
  await refused(t, 'sepc', object, /\.sepc: unknown field/)
})

t.test('a field of the wrong type is refused', async (t) => {
  const object = deployment()
  object.spec.template.spec.terminationGracePeriodSeconds = 'twenty'
  await refused(t, 'grace period as a string', object, /terminationGracePeriodSeconds must be integer/)
  const ports = deployment()
  container(ports).ports[0].containerPort = '3000'
  await refused(t, 'containerPort as a string', ports, /containerPort must be integer/)
})

t.test('a missing required field is refused', async (t) => {
  const object = deployment()
  delete object.spec.selector
  await refused(t, 'no selector', object, /must have required property '?selector/)
})

t.test('API versions Kubernetes has removed are refused', async (t) => {
  const budget = copy('PodDisruptionBudget', 'api')
  const removed = { ...budget, apiVersion: 'policy/v1beta1' }
  await refused(t, 'policy/v1beta1', removed, /not served by Kubernetes/)
  t.same(await modelErrors(removed), [], 'kubernetes-models on its own accepts it (it merges old releases)')
  const autoscaler = copy('HorizontalPodAutoscaler', 'api')
  await refused(t, 'autoscaling/v2beta2', { ...autoscaler, apiVersion: 'autoscaling/v2beta2' }, /not served/)
  const ingress = copy('Ingress', 'api')
  await refused(t, 'extensions/v1beta1', { ...ingress, apiVersion: 'extensions/v1beta1' }, /not served/)
})

t.test('a kind that does not exist in its group is refused', async (t) => {
  const budget = copy('PodDisruptionBudget', 'api')
  await refused(t, 'apps/v1 PodDisruptionBudget', { ...budget, apiVersion: 'apps/v1' }, /not served/)
})

t.test('free-form maps and int-or-string fields still take what the API takes', async (t) => {
  const object = deployment()
  object.metadata.labels = { ...object.metadata.labels, 'example.com/any-key': 'x' }
  object.spec.strategy.rollingUpdate = { maxSurge: '25%', maxUnavailable: 0 }
  container(object).resources.limits.cpu = 1
  t.same(await schemaErrors(object), [], 'labels with any key, 25% and 0, a numeric quantity')
})
