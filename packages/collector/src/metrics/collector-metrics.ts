import { statSync } from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CollectorConfig } from '../config/collector-config.js';
import { checkReadiness } from '../health/readiness.js';
import { OTEL_LOGS_TABLE, OTEL_TRACES_TABLE } from '../store/clickhouse/otel-tables.js';
import type { IngestStats } from '../store/ingest-stats.js';
import type { Store } from '../store/store.js';

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The exporter's tables' active parts in ClickHouse, whose statistics the store gauges read. */
const OTEL_PARTS = `FROM system.parts WHERE active AND database = currentDatabase() AND table IN ('${OTEL_TRACES_TABLE}', '${OTEL_LOGS_TABLE}')`;

/**
 * Bytes the store holds on disk: DuckDB's file and WAL (a stat, no query), ClickHouse's active
 * parts of the exporter's tables (`system.parts`). `undefined` when the store cannot answer.
 */
async function storeBytes(store: Store): Promise<number | undefined> {
  if (store.dialect === 'duckdb') return fileSize(store.path) + fileSize(`${store.path}.wal`);
  const [row] = await store
    .query(`SELECT sum(bytes_on_disk) AS bytes ${OTEL_PARTS}`)
    .catch(() => [undefined]);
  return row === undefined ? undefined : Number(row.bytes ?? 0);
}

/**
 * Spans and log lines in the store: DuckDB counts its tables; ClickHouse answers from
 * `system.parts`, which costs no scan of billions of rows per scrape.
 */
async function storeRows(store: Store): Promise<{ spans: number; logs: number } | undefined> {
  const sql =
    store.dialect === 'duckdb'
      ? 'SELECT (SELECT count(*) FROM spans) AS spans, (SELECT count(*) FROM logs) AS logs'
      : `SELECT sumIf(rows, table = '${OTEL_TRACES_TABLE}') AS spans, sumIf(rows, table = '${OTEL_LOGS_TABLE}') AS logs ${OTEL_PARTS}`;
  const [row] = await store.query(sql).catch(() => [undefined]);
  return row === undefined ? undefined : { spans: Number(row.spans ?? 0), logs: Number(row.logs ?? 0) };
}

/** What the collector's metrics read: its counters, queue and store, never a second bookkeeping. */
export interface CollectorMetricsSources {
  stats: IngestStats;
  store: Store;
  config: CollectorConfig;
  queueDepth: () => number;
}

/**
 * The collector's own metrics, scraped from `GET /metrics` (Prometheus text format). Counters
 * and gauges are read from IngestStats at scrape time; only the two latency histograms are
 * observed as events happen. Every label has a bound: protocol (2), table (2), outcome (3),
 * refusal reason (the collector's own error codes), what was limited (4), check (4), question (the registry's names, else
 * `other`), status class (5).
 */
export class CollectorMetrics {
  readonly registry = new Registry();
  readonly commitDuration: Histogram<'outcome'>;
  readonly apiDuration: Histogram<'question' | 'status_class'>;

  constructor(sources: CollectorMetricsSources) {
    const { stats, store, config, queueDepth } = sources;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'stitch_collector_' });

    new Counter({
      name: 'stitch_collector_ingest_spans_total',
      help: 'Spans committed to the store.',
      registers,
      collect() {
        this.reset();
        this.inc(stats.acceptedSpans);
      },
    });
    new Counter({
      name: 'stitch_collector_ingest_logs_total',
      help: 'Log records committed to the store.',
      registers,
      collect() {
        this.reset();
        this.inc(stats.acceptedLogs);
      },
    });
    new Counter({
      name: 'stitch_collector_ingest_received_bytes_total',
      help: 'OTLP request bodies received, as sent (before gunzip), by protocol.',
      labelNames: ['protocol'],
      registers,
      collect() {
        this.reset();
        this.inc({ protocol: 'http/protobuf' }, stats.receivedBytes.protobuf);
        this.inc({ protocol: 'http/json' }, stats.receivedBytes.json);
      },
    });
    new Counter({
      name: 'stitch_collector_ingest_rejected_records_total',
      help: 'Records refused as invalid inside accepted requests (OTLP partial success).',
      registers,
      collect() {
        this.reset();
        this.inc(stats.rejectedRecords);
      },
    });
    new Counter({
      name: 'stitch_collector_ingest_limited_total',
      help: 'What the record limits cut from accepted spans and log records: truncated values, dropped attributes, events and links.',
      labelNames: ['what'],
      registers,
      collect() {
        this.reset();
        this.inc({ what: 'truncated_values' }, stats.limited.truncatedValues);
        this.inc({ what: 'dropped_attributes' }, stats.limited.droppedAttributes);
        this.inc({ what: 'dropped_events' }, stats.limited.droppedEvents);
        this.inc({ what: 'dropped_links' }, stats.limited.droppedLinks);
      },
    });
    new Counter({
      name: 'stitch_collector_ingest_refused_requests_total',
      help: 'OTLP requests answered with an error, by HTTP status and Stitch error code.',
      labelNames: ['status', 'reason'],
      registers,
      collect() {
        this.reset();
        for (const [key, count] of stats.refusedRequests) {
          const [status = '', reason = 'unknown'] = key.split(' ');
          this.inc({ status, reason }, count);
        }
      },
    });
    new Gauge({
      name: 'stitch_collector_queue_records',
      help: 'Records waiting in the write queue.',
      registers,
      collect() {
        this.set(queueDepth());
      },
    });
    new Gauge({
      name: 'stitch_collector_queue_capacity_records',
      help: 'Records the write queue holds before ingest is refused with 429.',
      registers,
      collect() {
        this.set(config.maxQueueRecords);
      },
    });
    new Counter({
      name: 'stitch_collector_store_write_failures_total',
      help: 'Transactions the store failed to commit (their senders got 503).',
      registers,
      collect() {
        this.reset();
        this.inc(stats.writeFailures);
      },
    });
    new Gauge({
      name: 'stitch_collector_store_bytes',
      help: 'Bytes the store holds on disk: the DuckDB file and its write-ahead log, or the active parts of ClickHouse\'s otel_traces and otel_logs.',
      registers,
      async collect() {
        const bytes = await storeBytes(store);
        this.reset();
        if (bytes !== undefined) this.set(bytes);
      },
    });
    // Only DuckDB's store is trimmed to a size; on ClickHouse the tables' TTL decides (retention.ts).
    if (store.dialect === 'duckdb') {
      new Gauge({
        name: 'stitch_collector_store_size_limit_bytes',
        help: 'The retention size limit (retention.maxSizeMb).',
        registers,
        collect() {
          this.set(config.retention.maxSizeMb * 1024 * 1024);
        },
      });
    }
    new Gauge({
      name: 'stitch_collector_store_rows',
      help: 'Rows in the store, by table.',
      labelNames: ['table'],
      registers,
      async collect() {
        // A store that cannot answer leaves the series out rather than failing the whole scrape:
        // stitch_collector_ready{check="store"} says why.
        const rows = await storeRows(store);
        this.reset();
        if (rows === undefined) return;
        this.set({ table: 'spans' }, rows.spans);
        this.set({ table: 'logs' }, rows.logs);
      },
    });
    new Counter({
      name: 'stitch_collector_retention_deleted_rows_total',
      help: 'Rows deleted by retention, by table.',
      labelNames: ['table'],
      registers,
      collect() {
        this.reset();
        this.inc({ table: 'spans' }, stats.retentionDeletedSpans);
        this.inc({ table: 'logs' }, stats.retentionDeletedLogs);
        this.inc({ table: 'audit' }, stats.retentionDeletedAudit);
      },
    });
    new Gauge({
      name: 'stitch_collector_retention_last_run_timestamp_seconds',
      help: 'When retention last completed a pass (0 = not yet).',
      registers,
      collect() {
        this.set(stats.lastRetentionRunMillis === null ? 0 : stats.lastRetentionRunMillis / 1000);
      },
    });
    new Counter({
      name: 'stitch_collector_forward_payloads_total',
      help: 'Payloads the forwarder handled, by outcome (sent, failed after retries, dropped when its queue was full).',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        this.inc({ outcome: 'sent' }, stats.forwardedPayloads);
        this.inc({ outcome: 'failed' }, stats.forwardFailed);
        this.inc({ outcome: 'dropped' }, stats.forwardDropped);
      },
    });
    new Counter({
      name: 'stitch_collector_forward_failures_total',
      help: 'Payloads the forwarder gave up on, by the last reason (http_<status>, network, timeout, shutdown).',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of stats.forwardFailures) this.inc({ reason }, count);
      },
    });
    new Counter({
      name: 'stitch_collector_forward_retries_total',
      help: 'Forward attempts repeated after a network error, timeout, 429, 502, 503 or 504.',
      registers,
      collect() {
        this.reset();
        this.inc(stats.forwardRetries);
      },
    });
    new Counter({
      name: 'stitch_collector_api_refused_requests_total',
      help: 'API requests refused before anything was read (401, 403, 429), by status; audited rate-limited.',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        for (const [status, count] of stats.apiRefusedRequests) this.inc({ status }, count);
      },
    });
    new Counter({
      name: 'stitch_collector_audit_write_failures_total',
      help: 'Refused API requests whose audit rows the store failed to write.',
      registers,
      collect() {
        this.reset();
        this.inc(stats.auditWriteFailures);
      },
    });
    new Gauge({
      name: 'stitch_collector_ready',
      help: 'Readiness as /readyz answers it: 1 ready, 0 not; `check` names each readiness check.',
      labelNames: ['check'],
      registers,
      async collect() {
        const readiness = await checkReadiness(sources);
        this.reset();
        this.set({ check: 'all' }, readiness.ready ? 1 : 0);
        for (const c of readiness.checks) this.set({ check: c.name }, c.ok ? 1 : 0);
      },
    });
    this.commitDuration = new Histogram({
      name: 'stitch_collector_commit_duration_seconds',
      help: 'Duration of each store transaction (one group commit of queued batches), by outcome.',
      labelNames: ['outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.apiDuration = new Histogram({
      name: 'stitch_collector_api_request_duration_seconds',
      help: 'API answer time, by question (the registry name) and status class.',
      labelNames: ['question', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  observeCommit(seconds: number, ok: boolean): void {
    this.commitDuration.observe({ outcome: ok ? 'ok' : 'failed' }, seconds);
  }

  observeApi(question: string, statusCode: number, seconds: number): void {
    this.apiDuration.observe({ question, status_class: `${Math.floor(statusCode / 100)}xx` }, seconds);
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
