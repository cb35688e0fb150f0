import Type from 'typebox'
import { setting } from '../setting.ts'
import { Integer } from './types.ts'

export const metrics = {
  enabled: setting(
    'METRICS_ENABLED',
    Type.Boolean({ default: true }),
    '`false` collects nothing: no per-request timing, no `/metrics` (the bench measures the difference)',
  ),
  port: setting(
    'METRICS_PORT',
    Integer(0, 65535, 9464),
    'Port of `/metrics` (Prometheus), never the public one; `0` turns the metrics server off',
  ),
  host: setting(
    'METRICS_HOST',
    Type.String({ minLength: 1, default: '0.0.0.0' }),
    'Address the metrics server listens on',
  ),
}

export const build = {
  commit: setting(
    'BUILD_COMMIT',
    Type.String({ pattern: '^[0-9a-zA-Z._-]{1,64}$', default: 'unknown' }),
    'The commit this build was made from (set by the image build), for `board_build_info`',
  ),
}
