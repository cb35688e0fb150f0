import type { InjectOptions } from 'fastify'

/** Requests the message routes must refuse, the status each deserves and the field it names. */
export interface InvalidRequest {
  name: string
  request: InjectOptions
  status: number
  field?: string
}

export const invalidMessageRequests: InvalidRequest[] = [
  {
    name: 'empty content',
    request: { method: 'POST', url: '/api/messages', payload: { content: '' } },
    status: 400,
    field: 'content',
  },
  {
    name: 'content too long',
    request: { method: 'POST', url: '/api/messages', payload: { content: 'x'.repeat(1001) } },
    status: 400,
    field: 'content',
  },
  {
    name: 'content not a string',
    request: { method: 'POST', url: '/api/messages', payload: { content: 42 } },
    status: 400,
    field: 'content',
  },
  {
    name: 'content missing',
    request: { method: 'POST', url: '/api/messages', payload: {} },
    status: 400,
    field: 'content',
  },
  {
    name: 'property the schema forbids',
    request: { method: 'POST', url: '/api/messages', payload: { content: 'hi', author: 'me' } },
    status: 400,
    field: 'author',
  },
  {
    name: 'NUL in content',
    request: { method: 'POST', url: '/api/messages', payload: { content: 'a\u0000b' } },
    status: 400,
    field: 'content',
  },
  {
    name: 'lone surrogate in content',
    request: {
      method: 'POST',
      url: '/api/messages',
      headers: { 'content-type': 'application/json' },
      payload: '{"content":"a\\ud800b"}',
    },
    status: 400,
    field: 'content',
  },
  {
    name: 'body not JSON',
    request: {
      method: 'POST',
      url: '/api/messages',
      headers: { 'content-type': 'application/json' },
      payload: '{"content":',
    },
    status: 400,
  },
  {
    name: 'body too large',
    request: { method: 'POST', url: '/api/messages', payload: { content: 'x'.repeat(20_000) } },
    status: 413,
  },
  {
    name: 'wrong content type',
    request: {
      method: 'POST',
      url: '/api/messages',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    },
    status: 415,
  },
  {
    name: 'form content type',
    request: {
      method: 'POST',
      url: '/api/messages',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'content=hi',
    },
    status: 415,
  },
  {
    name: 'limit zero',
    request: { method: 'GET', url: '/api/messages?limit=0' },
    status: 400,
    field: 'limit',
  },
  {
    name: 'limit too big',
    request: { method: 'GET', url: '/api/messages?limit=101' },
    status: 400,
    field: 'limit',
  },
  {
    name: 'limit not a number',
    request: { method: 'GET', url: '/api/messages?limit=ten' },
    status: 400,
    field: 'limit',
  },
  // Ajv coerces these to ±Infinity, which its range checks skip.
  {
    name: 'limit Infinity',
    request: { method: 'GET', url: '/api/messages?limit=Infinity' },
    status: 400,
    field: 'limit',
  },
  {
    name: 'limit -Infinity',
    request: { method: 'GET', url: '/api/messages?limit=-Infinity' },
    status: 400,
    field: 'limit',
  },
  {
    name: 'limit 1e999',
    request: { method: 'GET', url: '/api/messages?limit=1e999' },
    status: 400,
    field: 'limit',
  },
  {
    name: 'id Infinity',
    request: { method: 'GET', url: '/api/messages/Infinity' },
    status: 400,
    field: 'id',
  },
  {
    name: 'forged cursor',
    request: { method: 'GET', url: '/api/messages?cursor=bm90LWEtY3Vyc29y' },
    status: 400,
    field: 'cursor',
  },
  {
    name: 'cursor with symbols',
    request: { method: 'GET', url: '/api/messages?cursor=%27%3B--' },
    status: 400,
    field: 'cursor',
  },
  {
    name: 'id not a number',
    request: { method: 'GET', url: '/api/messages/abc' },
    status: 400,
    field: 'id',
  },
  {
    name: 'id out of range',
    request: { method: 'GET', url: '/api/messages/2147483648' },
    status: 400,
    field: 'id',
  },
  // The router rejects these before any route runs: still problem+json.
  { name: 'id not percent-encoded', request: { method: 'GET', url: '/api/messages/%zz' }, status: 400 },
  {
    name: 'id longer than the router allows',
    request: { method: 'GET', url: `/api/messages/${'1'.repeat(101)}` },
    status: 414,
  },
  { name: 'unknown route', request: { method: 'GET', url: '/api/nothing-here' }, status: 404 },
  { name: 'unsupported method', request: { method: 'DELETE', url: '/api/messages' }, status: 404 },
]
