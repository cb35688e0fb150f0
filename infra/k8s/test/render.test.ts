import t from 'tap'
import { K8S_DIR } from './helpers/facts.ts'
import { kustomize, label, OVERLAYS, render } from './helpers/render.ts'
import { ofKind } from './helpers/workloads.ts'

// `kubectl kustomize` renders offline; `kubectl apply --dry-run=client` would
// still dial a cluster, which CI has none of.

for (const overlay of OVERLAYS) {
  t.test(`overlays/${overlay} and overlays/${overlay}/migrate render`, async (t) => {
    const { app, migrate } = await render(overlay)
    t.same(
      migrate.map(label),
      ofKind(migrate, 'Job').map(label),
      'the migrate step is the Job alone, applied before the app',
    )
    t.equal(ofKind(migrate, 'Job').length, 1, 'one migration Job')
    const kinds = new Set(app.map((object) => object.kind))
    for (const kind of ['Namespace', 'Deployment', 'Service', 'Ingress', 'PodDisruptionBudget']) {
      t.ok(kinds.has(kind), `the app has a ${kind}`)
    }
    for (const kind of ['HorizontalPodAutoscaler', 'ConfigMap', 'NetworkPolicy']) {
      t.ok(kinds.has(kind), `the app has a ${kind}`)
    }
    t.notOk(kinds.has('Job'), 'the app leaves the migration to its own step')
  })
}

t.test('prod expects managed backends, dev runs them as StatefulSets with volumes', async (t) => {
  const [dev, prod] = await Promise.all([render('dev'), render('prod')])
  t.same(ofKind(prod.app, 'StatefulSet').map(label), [], 'no database or cache in prod')
  const statefulSets = ofKind(dev.app, 'StatefulSet')
  t.same(statefulSets.map(label).sort(), ['StatefulSet/postgres', 'StatefulSet/redis'])
  for (const set of statefulSets) {
    t.ok(set.spec.volumeClaimTemplates?.length, `${label(set)} keeps its data on a PersistentVolumeClaim`)
  }
})

t.test('the base alone renders too (it is what both overlays build on)', async (t) => {
  t.ok((await kustomize('base')).length > 0, `${K8S_DIR}/base`)
})
