import Type from 'typebox'

export const VisitCount = Type.Object(
  { count: Type.Integer({ minimum: 0, description: 'Page views so far' }) },
  { $id: 'VisitCount', examples: [{ count: 42 }] },
)

// A body, and so a Content-Type, is what a page on another origin cannot send
// without asking first (CORS preflight): a form or a no-cors fetch cannot count visits.
export const NewVisit = Type.Object(
  {},
  {
    $id: 'NewVisit',
    additionalProperties: false,
    description: 'Nothing to say: send `{}` as `application/json`',
    examples: [{}],
  },
)
