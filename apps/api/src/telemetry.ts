// OpenTelemetry tracing, loaded before the app: `node --import ./dist/telemetry.js dist/server.js`
// (the image's command). Off unless the standard variables ask for it — an OTLP endpoint
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or OTEL_TRACES_EXPORTER —
// and OTEL_SDK_DISABLED is not true; off, it loads nothing. On, the NodeSDK reads every other
// OTEL_* variable itself (service name, sampler, protocol, headers).
import { register } from 'node:module'

const env = process.env
const asked =
  Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ||
  Boolean(env.OTEL_TRACES_EXPORTER && env.OTEL_TRACES_EXPORTER !== 'none')
const disabled = env.OTEL_SDK_DISABLED?.toLowerCase() === 'true'

/** Where server.ts finds the SDK to flush it on shutdown. */
export const TELEMETRY = Symbol.for('board.telemetry')

if (asked && !disabled) {
  // Instrumentations patch modules as they load; under ESM that needs this hook
  // (without it ioredis, imported as ESM, gives no spans). It must come first.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url)
  const [
    { NodeSDK },
    { HttpInstrumentation },
    { PgInstrumentation },
    { IORedisInstrumentation },
    fastifyOtel,
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@fastify/otel'),
  ])
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'board-api',
    instrumentations: [
      // The server span, and W3C traceparent from the proxy; probes and metrics are not traced.
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => /^\/(health\/|metrics)/.test(request.url ?? ''),
      }),
      // Request and handler spans; a span per lifecycle hook would be most of tracing's cost.
      new fastifyOtel.FastifyOtelInstrumentation({ registerOnInitialization: true, instrumentHooks: false }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new IORedisInstrumentation(),
    ],
  })
  sdk.start()
  Object.assign(globalThis, { [TELEMETRY]: sdk })
}
