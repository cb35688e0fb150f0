import t from 'tap'
import { label, OVERLAYS, render } from './helpers/render.ts'
import { clientModelsRelease, KUBERNETES_VERSION, schemaErrors } from './helpers/schema.ts'

t.test(`the schemas are Kubernetes ${KUBERNETES_VERSION}'s`, async (t) => {
  t.equal(clientModelsRelease(), KUBERNETES_VERSION, '@kubernetes/client-node was generated from it')
})

for (const overlay of OVERLAYS) {
  t.test(
    `every object of overlays/${overlay} (app and migrate) is valid, with no unknown field`,
    async (t) => {
      for (const object of (await render(overlay)).all) {
        t.same(await schemaErrors(object), [], label(object))
      }
    },
  )
}
