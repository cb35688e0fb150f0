import t from 'tap'
import { buildTestApp, useBackends } from './helpers/app.ts'

const app = await buildTestApp(t, await useBackends(t))

t.test('/openapi.json documents every route with its schemas', async (t) => {
  const response = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(response.statusCode, 200)
  const spec = response.json()
  t.equal(spec.openapi, '3.1.0')
  const operations = Object.entries(
    spec.paths as Record<string, Record<string, { operationId: string; responses: object }>>,
  ).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const),
  )
  t.same(operations.map(([route]) => route).sort(), [
    'GET /api/messages',
    'GET /api/messages/{id}',
    'GET /api/status',
    'GET /api/visits',
    'GET /health/live',
    'GET /health/ready',
    'POST /api/messages',
    'POST /api/visits',
  ])
  for (const [route, operation] of operations) {
    t.type(operation.operationId, 'string', `${route} has an operationId`)
    t.ok(Object.keys(operation.responses).length > 0, `${route} documents its responses`)
  }
  t.same(
    Object.keys(spec.components.schemas).sort(),
    [
      'HealthCheck',
      'Liveness',
      'Message',
      'MessagePage',
      'NewMessage',
      'Problem',
      'Readiness',
      'ReadinessProblem',
      'Status',
      'VisitCount',
    ],
    'shared schemas are named components',
  )
  const create = spec.paths['/api/messages'].post
  t.same(create.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/NewMessage' })
  t.same(create.responses['400'].content['application/problem+json'].schema, {
    $ref: '#/components/schemas/Problem',
  })
})

t.test('Swagger UI is served at /docs', async (t) => {
  const response = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(response.statusCode, 200)
  t.match(response.body, /swagger/i)
})
