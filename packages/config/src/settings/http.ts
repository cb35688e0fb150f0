import Type from 'typebox'
import { derived, setting } from '../setting.ts'
import { Integer } from './types.ts'

export const http = {
  host: setting('HOST', Type.String({ minLength: 1, default: '0.0.0.0' }), 'Address the server listens on'),
  port: setting('PORT', Integer(0, 65535, 3000), 'Port the server listens on'),
  bodyLimit: setting('BODY_LIMIT_BYTES', Integer(1024, 10_485_760, 16_384), 'Larger request bodies get 413'),
  jsonMaxDepth: setting(
    'JSON_MAX_DEPTH',
    Integer(1, 1000, 32),
    'JSON bodies nested deeper than this (objects and arrays) get 400, before they are parsed',
  ),
  trustProxy: derived(
    setting(
      'TRUST_PROXY',
      Type.String({ default: 'false' }),
      '`true`, or the proxy addresses/CIDRs to trust for `X-Forwarded-*`',
    ),
    (value): boolean | string => (value === 'true' || value === 'false' ? value === 'true' : value),
  ),
  headersTimeoutMs: setting(
    'HTTP_HEADERS_TIMEOUT_MS',
    Integer(100, 120_000, 5000),
    'A client must send its request headers within this',
  ),
  requestTimeoutMs: setting(
    'HTTP_REQUEST_TIMEOUT_MS',
    Integer(100, 600_000, 10_000),
    'A client must send its whole request (headers and body) within this',
  ),
  keepAliveTimeoutMs: setting(
    'HTTP_KEEP_ALIVE_TIMEOUT_MS',
    Integer(100, 600_000, 65_000),
    "Idle keep-alive connections close after this; keep it above the proxy's upstream keepalive (60 s)",
  ),
}
