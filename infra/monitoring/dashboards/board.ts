import * as common from '@grafana/grafana-foundation-sdk/common'
import {
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard'
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus'
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries'

// The board dashboard as code. `pnpm --filter @app/infra dashboards` writes
// grafana/dashboards/board.gen.json from it; the monitoring test fails when
// the committed JSON differs, and evaluates every query below against a live
// Prometheus. Metric names: apps/api/src/metrics/definitions.ts, plus
// the client's process_* and nodejs_* defaults.

/** The provisioned datasource (grafana/provisioning/datasources/prometheus.yml). */
export const DATASOURCE = { type: 'prometheus', uid: 'prometheus' }

const API = 'job="api"'
/** The per-replica row's selector: the repeated row sets $instance to one replica. */
const REPLICA = 'job="api",instance=~"$instance"'
const requests = (selector: string) => `board_http_request_duration_seconds_count{${selector}}`
const rate = (series: string) => `rate(${series}[$__rate_interval])`

/** A ratio that is 0 rather than absent while the numerator has no series yet (no error since start). */
const ratio = (numerator: string, denominator: string, by: string) =>
  `(sum by (${by}) (${rate(numerator)}) or sum by (${by}) (${rate(denominator)}) * 0)\n/ sum by (${by}) (${rate(denominator)})`

const quantile = (q: number, selector: string, by: string) =>
  `histogram_quantile(${q}, sum by (le, ${by}) (${rate(`board_http_request_duration_seconds_bucket{${selector}}`)}))`

function query(expr: string, legend: string) {
  return new DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).range()
}

/** Panel ids, unique in the dashboard (Grafana links and repeats by them). */
let nextId = 1

function row(title: string) {
  return new RowBuilder(title).id(nextId++)
}

function panel(title: string, description: string, unit: string, targets: DataqueryBuilder[]) {
  const builder = new TimeseriesBuilder()
    .id(nextId++)
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(8)
    .height(8)
    .lineWidth(1)
    .fillOpacity(10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
  for (const [index, target] of targets.entries())
    builder.withTarget(target.refId(String.fromCharCode(65 + index)))
  return builder
}

const MEMORY_LIMIT_BYTES = 256 * 1024 * 1024

export function boardDashboard(): Dashboard {
  nextId = 1
  const builder = new DashboardBuilder('Board API')
    .uid('board-api')
    .description(
      'The board api: traffic, errors, latency, cache, Postgres, Redis and each replica (infra/monitoring)',
    )
    .tags(['board', 'generated'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(
      new QueryVariableBuilder('instance')
        .label('Replica')
        .description('api replicas Prometheus scrapes (Docker DNS: one address per replica)')
        .datasource(DATASOURCE)
        .query({ query: `label_values(up{${API}}, instance)`, refId: 'instance' })
        .definition(`label_values(up{${API}}, instance)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true),
    )

    .withRow(row('All replicas'))
    .withPanel(
      panel(
        'Request rate',
        'Requests answered per second, by route pattern, all replicas: rate of board_http_request_duration_seconds_count.',
        'reqps',
        [query(`sum by (route) (${rate(requests(API))})`, '{{route}}')],
      ),
    )
    .withPanel(
      panel(
        'Error ratio',
        'Share of answers that were 5xx, and 4xx, all replicas (status_class of board_http_request_duration_seconds_count). The BoardHighErrorRatio alert fires above 5% for 5 minutes.',
        'percentunit',
        [
          query(ratio(requests(`${API},status_class="5xx"`), requests(API), 'job'), '5xx'),
          query(ratio(requests(`${API},status_class="4xx"`), requests(API), 'job'), '4xx'),
        ],
      ).max(1),
    )
    .withPanel(
      panel(
        'Latency by route (p50, p95, p99)',
        'Request duration quantiles by route pattern, from the buckets of board_http_request_duration_seconds (5 ms to 5 s). BoardHighLatencyP99 fires when the overall p99 stays above 1 s for 10 minutes.',
        's',
        [
          query(quantile(0.5, API, 'route'), 'p50 {{route}}'),
          query(quantile(0.95, API, 'route'), 'p95 {{route}}'),
          query(quantile(0.99, API, 'route'), 'p99 {{route}}'),
        ],
      ),
    )
    .withPanel(
      panel(
        'Cache hit ratio',
        'Reads answered from a cache tier (outcome hit_local: this replica, hit_store: Redis) over all reads, by cache group: board_cache_requests_total.',
        'percentunit',
        [
          query(
            ratio(
              `board_cache_requests_total{${API},outcome=~"hit_local|hit_store"}`,
              `board_cache_requests_total{${API}}`,
              'group',
            ),
            '{{group}}',
          ),
        ],
      ).max(1),
    )
    .withPanel(
      panel(
        'Postgres pool saturation',
        'Connections in use (total − idle) and requests waiting for a connection, per replica: board_db_pool_connections. Waiting above 0 for long means the pool is too small or Postgres is slow.',
        'short',
        [
          query(
            `sum by (instance) (board_db_pool_connections{${API},state="total"}) - sum by (instance) (board_db_pool_connections{${API},state="idle"})`,
            'in use {{instance}}',
          ),
          query(
            `sum by (instance) (board_db_pool_connections{${API},state="waiting"})`,
            'waiting {{instance}}',
          ),
        ],
      ),
    )
    .withPanel(
      panel(
        'Write queue depth',
        'Messages waiting for their INSERT (group commit), per replica: board_write_queue_depth; and the median messages per INSERT: board_write_batch_size.',
        'short',
        [
          query(`sum by (instance) (board_write_queue_depth{${API}})`, 'queued {{instance}}'),
          query(
            `histogram_quantile(0.5, sum by (le) (${rate(`board_write_batch_size_bucket{${API}}`)}))`,
            'median batch',
          ),
        ],
      ),
    )
    .withPanel(
      panel(
        'Redis and Postgres health',
        'Replicas with a ready Redis connection (board_redis_up), replicas whose last readiness check (Postgres and Redis reachable) passed (board_ready), out of the replicas scraped (up).',
        'short',
        [
          query(`sum(board_redis_up{${API}})`, 'Redis connected'),
          query(`sum(board_ready{${API}})`, 'ready (Postgres and Redis)'),
          query(`count(up{${API}} == 1)`, 'replicas scraped'),
        ],
      )
        .min(0)
        .span(12),
    )
    .withPanel(
      panel(
        'Postgres statements',
        'Statements per second by outcome (ok, error) and their p99 duration, all replicas: board_db_query_duration_seconds.',
        'short',
        [
          query(
            `sum by (outcome) (${rate(`board_db_query_duration_seconds_count{${API}}`)})`,
            '{{outcome}}/s',
          ),
          query(
            `histogram_quantile(0.99, sum by (le) (${rate(`board_db_query_duration_seconds_bucket{${API}}`)}))`,
            'p99 seconds',
          ),
        ],
      ).span(12),
    )
    .withPanel(
      panel(
        'Memory',
        'Resident memory (process_resident_memory_bytes) and V8 heap in use (nodejs_heap_size_used_bytes) per replica; the red line is 90% of the 256 MiB container limit, where BoardMemoryNearLimit fires.',
        'bytes',
        [
          query(`process_resident_memory_bytes{${API}}`, 'resident {{instance}}'),
          query(`nodejs_heap_size_used_bytes{${API}}`, 'heap {{instance}}'),
        ],
      )
        .thresholds(
          new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
            { value: null, color: 'green' },
            { value: MEMORY_LIMIT_BYTES * 0.9, color: 'red' },
          ]),
        )
        .thresholdsStyle(
          new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line),
        )
        .span(12),
    )
    .withPanel(
      panel(
        'Event-loop delay',
        "The event loop's p99 and mean delay per replica (prom-client's nodejs_eventloop_lag_p99_seconds, nodejs_eventloop_lag_mean_seconds). Load shedding (503 OVERLOADED) starts past LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS.",
        's',
        [
          query(`nodejs_eventloop_lag_p99_seconds{${API}}`, 'p99 {{instance}}'),
          query(`nodejs_eventloop_lag_mean_seconds{${API}}`, 'mean {{instance}}'),
        ],
      ).span(12),
    )

    // One row per replica: Grafana repeats it for each value of $instance.
    .withRow(row('Replica $instance').repeat('instance'))
    .withPanel(
      panel(
        'Requests by status class',
        'Requests per second this replica answered, by status class: board_http_request_duration_seconds_count.',
        'reqps',
        [query(`sum by (status_class) (${rate(requests(REPLICA))})`, '{{status_class}}')],
      ),
    )
    .withPanel(
      panel(
        'Latency p99 and requests in flight',
        "This replica's p99 request duration (board_http_request_duration_seconds) and the requests it is serving right now (board_http_requests_in_flight).",
        's',
        [
          query(
            `histogram_quantile(0.99, sum by (le) (${rate(`board_http_request_duration_seconds_bucket{${REPLICA}}`)}))`,
            'p99',
          ),
          query(`sum(board_http_requests_in_flight{${REPLICA}})`, 'in flight'),
        ],
      ),
    )
    .withPanel(
      panel(
        'Memory, event loop and CPU',
        "This replica's resident memory as a share of the 256 MiB limit, its event-loop utilisation (board_event_loop_utilization) and CPU (rate of process_cpu_seconds_total, in cores).",
        'percentunit',
        [
          query(`process_resident_memory_bytes{${REPLICA}} / ${MEMORY_LIMIT_BYTES}`, 'memory of limit'),
          query(`board_event_loop_utilization{${REPLICA}}`, 'event-loop utilisation'),
          query(`${rate(`process_cpu_seconds_total{${REPLICA}}`)}`, 'CPU cores'),
        ],
      ),
    )
  return builder.build()
}
