import t from 'tap'
import pkg from '../package.json' with { type: 'json' }
import { buildTestApp } from './helpers/app.ts'

interface Operation {
  operationId: string
  summary?: string
  tags?: string[]
  parameters?: unknown[]
  requestBody?: unknown
  responses: Record<string, { description: string; content?: Record<string, unknown> }>
}

const app = await buildTestApp(t)

t.test('/openapi.json documents every route with its schemas', async (t) => {
  const response = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(response.statusCode, 200)
  const spec = response.json()
  t.equal(spec.openapi, '3.1.0')
  t.equal(spec.info.version, pkg.version, 'info.version is the package version')
  const operations = Object.entries(spec.paths as Record<string, Record<string, Operation>>).flatMap(
    ([path, methods]) =>
      Object.entries(methods).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const),
  )
  t.same(operations.map(([route]) => route).sort(), [
    'DELETE /api/messages/{id}',
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
    t.ok(operation.summary, `${route} has a summary`)
    t.equal(operation.tags?.length, 1, `${route} has a tag`)
    const statuses = Object.keys(operation.responses)
    t.ok(statuses.includes('500'), `${route} documents 500`)
    // A conditional request header cannot be invalid: any value is a list of tags or none.
    const validated = (operation.parameters ?? []).filter((p) => (p as { in?: string }).in !== 'header')
    if (validated.length > 0 || operation.requestBody) {
      t.ok(statuses.includes('400'), `${route} takes input, so it documents 400`)
    }
    for (const [status, response] of Object.entries(operation.responses)) {
      t.not(response.description, 'Default Response', `${route} ${status} is described`)
      const media = Object.keys(response.content ?? {})
      const expected =
        status === '304' || status === '204'
          ? []
          : [status < '400' ? 'application/json' : 'application/problem+json']
      t.same(media, expected, `${route} ${status}`)
    }
  }
  t.same(
    Object.keys(spec.components.schemas).sort(),
    [
      'HealthCheck',
      'Liveness',
      'Message',
      'MessagePage',
      'NewMessage',
      'NewVisit',
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
