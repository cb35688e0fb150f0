import Type from 'typebox'
import { derived, optional, type ParsedEnv, setting } from '../setting.ts'
import { Fraction, Integer, isProduction } from './types.ts'

/** Per client and write operation, shared by replicas through Redis. */
export const rateLimit = {
  max: setting(
    'RATE_LIMIT_MAX',
    Integer(0, 1_000_000, 120),
    'Writes per client address per operation per window; `0` turns it off',
  ),
  windowMs: derived(
    setting('RATE_LIMIT_WINDOW_SECONDS', Integer(1, 86_400, 60), 'The rate-limit window, in seconds'),
    (seconds) => seconds * 1000,
  ),
  readMax: setting(
    'RATE_LIMIT_READ_MAX',
    Integer(0, 10_000_000, 600),
    'Reads per client address per route per window (health probes and metrics are exempt); `0` turns it off',
  ),
  // Open by default: the proxy's per-address limit still holds while Redis is away.
  failClosed: derived(
    setting(
      'RATE_LIMIT_FAIL_CLOSED',
      Type.String({ pattern: '^[A-Za-z, ]*$', default: '' }),
      'Operations (operationIds, comma-separated) refused with 503 while the limit cannot be counted (Redis away); the others are let through',
    ),
    (value) =>
      value
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    'none',
  ),
}

/** Production only: outside it no container limit applies and a busy laptop or CI box is not overload. */
const inProduction = (value: number | undefined, productionDefault: number, env: ParsedEnv) =>
  value ?? (isProduction(env) ? productionDefault : 0)

const megabytes = (value: number) => value * 1024 * 1024

/** What makes a replica refuse requests (503) rather than queue them: 0 turns a check off. */
export const loadShedding = {
  // A lag of a quarter second is an event loop that cannot keep up, not one
  // slow garbage collection; the proxy's own timeouts are far longer.
  maxEventLoopDelayMs: derived(
    optional(
      'LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS',
      Type.Integer({ minimum: 0, maximum: 60_000 }),
      'Mean event-loop delay over one sample above which requests get 503; `0` turns it off',
    ),
    (value, env) => inProduction(value, 250, env),
    '`250` in production, else `0`',
  ),
  // Off by default: a replica at full utilisation still answers in time,
  // and refusing it work lowers throughput (measured by the fault matrix's burst).
  maxEventLoopUtilization: setting(
    'LOAD_SHEDDING_MAX_EVENT_LOOP_UTILIZATION',
    Fraction(0),
    'Event-loop utilisation (0–1) above which requests get 503; `0` turns it off',
  ),
  maxHeapUsedBytes: derived(
    optional(
      'LOAD_SHEDDING_MAX_HEAP_USED_MB',
      Type.Integer({ minimum: 0, maximum: 65_536 }),
      'Heap in use above which requests get 503 (the image caps old space at 128 MB); `0` turns it off',
    ),
    (value, env) => megabytes(inProduction(value, 112, env)),
    '`112` in production, else `0`',
  ),
  maxRssBytes: derived(
    optional(
      'LOAD_SHEDDING_MAX_RSS_MB',
      Type.Integer({ minimum: 0, maximum: 65_536 }),
      "Resident memory above which requests get 503 (the container's limit is 256 MB); `0` turns it off",
    ),
    (value, env) => megabytes(inProduction(value, 230, env)),
    '`230` in production, else `0`',
  ),
  // under-pressure reads an interval in which its 10 ms histogram took no
  // sample as an infinite delay (checked): keep intervals well above that.
  sampleIntervalMs: setting(
    'LOAD_SHEDDING_SAMPLE_INTERVAL_MS',
    Integer(50, 10_000, 200),
    'How often the event loop and memory are sampled (at least 50 ms)',
  ),
}

export const idempotency = {
  retentionMs: derived(
    setting(
      'IDEMPOTENCY_RETENTION_HOURS',
      Integer(1, 24 * 365, 24),
      'How long an `Idempotency-Key` is remembered: a retry within it gets the first answer',
    ),
    (hours) => hours * 3_600_000,
  ),
  inFlightMs: setting(
    'IDEMPOTENCY_IN_FLIGHT_MS',
    Integer(100, 600_000, 10_000),
    'How long a key counts as in flight (409 to a retry) if its first request never finishes, e.g. its replica died',
  ),
}
