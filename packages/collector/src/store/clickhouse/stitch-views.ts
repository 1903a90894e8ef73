import { LogField, PERF_VIOLATION_EVENT, SpanAttr } from '@stitch/contract';
import { LIFTED_COLUMNS, LIFTED_OUT } from '../lifted-columns.js';
import { OTEL_LOGS_TABLE, OTEL_TRACES_TABLE } from './otel-tables.js';

/**
 * Stitch's tables (store/schema.ts) as ClickHouse views over the exporter's `otel_traces` and
 * `otel_logs`: the same column names, types and NULLs, read from the maps
 * (`SpanAttributes['tenant.id']` …). A question's ClickHouse SQL then differs from its DuckDB
 * SQL only in dialect, not in what it reads, and it answers on rows the OpenTelemetry Collector
 * wrote as well as on rows Stitch wrote. Views are only stored queries: nothing is copied, and
 * ClickHouse pushes a question's WHERE into the scan of the table below.
 *
 * A missing map key reads as `''`, not NULL: every read of an attribute goes through
 * `nullIf(…, '')`, so `IS NULL` / `IS NOT NULL` on a view column mean what they mean on DuckDB.
 * A comparison is a UInt8 in ClickHouse: the flags are `toBool`, so they read as true/false.
 */
export const SPANS_VIEW = 'stitch_spans';
export const SPAN_EVENTS_VIEW = 'stitch_span_events';
export const SPAN_LINKS_VIEW = 'stitch_span_links';
export const LOGS_VIEW = 'stitch_logs';

/** ClickHouse string literal of one of our own constants (never user input). */
function literal(text: string): string {
  if (!/^[A-Za-z0-9_.:/ -]*$/.test(text)) throw new Error(`not a plain name: ${text}`);
  return `'${text}'`;
}

/** An attribute of `map`, NULL when absent or empty. */
export function mapValueSql(name: string, map = 'SpanAttributes'): string {
  return `nullIf(${map}[${literal(name)}], '')`;
}

function firstOf(names: readonly string[], map = 'SpanAttributes'): string {
  return names.length === 1 ? mapValueSql(names[0]!, map) : `coalesce(${names.map((n) => mapValueSql(n, map)).join(', ')})`;
}

// How a lifted column reads its source text: most are text; these are typed in DuckDB.
const TYPED: Readonly<Record<string, (text: string) => string>> = {
  budget_ms: (t) => `toFloat64OrNull(${t})`,
  http_status: (t) => `toInt32OrNull(${t})`,
  webhook_attempt: (t) => `toInt32OrNull(${t})`,
};

function liftedColumnSql(column: string, sources: readonly string[]): string {
  if (column === 'tenant_id') return `coalesce(${firstOf(sources)}, ${firstOf(sources, 'ResourceAttributes')})`;
  // The kernel marks an over-budget span with the attribute, other SDKs with the event.
  if (column === 'perf_violation') return `toBool(SpanAttributes[${literal(sources[0]!)}] = 'true' OR has(Events.Name, ${literal(PERF_VIOLATION_EVENT)}))`;
  const text = firstOf(sources);
  return TYPED[column]?.(text) ?? text;
}

// The exporter writes kinds and codes as pdata spells them: `Server`, `Error` (older releases:
// `SPAN_KIND_SERVER`, `STATUS_CODE_ERROR`). Both read as OTLP's numbers, as DuckDB stores them.
const KIND_SQL = `toInt8(multiIf(
  SpanKind IN ('Internal', 'SPAN_KIND_INTERNAL'), 1, SpanKind IN ('Server', 'SPAN_KIND_SERVER'), 2,
  SpanKind IN ('Client', 'SPAN_KIND_CLIENT'), 3, SpanKind IN ('Producer', 'SPAN_KIND_PRODUCER'), 4,
  SpanKind IN ('Consumer', 'SPAN_KIND_CONSUMER'), 5, 0))`;
const STATUS_SQL = `toInt8(multiIf(StatusCode IN ('Ok', 'STATUS_CODE_OK'), 1, StatusCode IN ('Error', 'STATUS_CODE_ERROR'), 2, 0))`;

const liftedOut = [...LIFTED_OUT].map(literal).join(', ');
const lifted = Object.fromEntries(LIFTED_COLUMNS.map((c) => [c.column, liftedColumnSql(c.column, c.sources)]));

/** How `stitch store migrate` stores a view column: its type, and the expression that fills it. */
export interface StorableColumn {
  readonly sql: string;
  readonly type: string;
}

const text = (sql: string): StorableColumn => ({ sql, type: 'LowCardinality(Nullable(String))' });
// Ids take as many values as there are spans: LowCardinality would only add a dictionary.
const id = (sql: string): StorableColumn => ({ sql, type: 'Nullable(String)' });

/**
 * Every span view column read out of the attribute maps, as `stitch store migrate` stores it
 * (store-migration.ts): on the exporter's schema each read parses the `SpanAttributes` map of
 * every span scanned (measured at 10M spans: a count on the entry route 381 ms through the map,
 * 17 ms on its column), and a question reads several. Stored, the view reads the column.
 */
export const STORABLE_SPAN_COLUMNS = {
  tenant_id: text(lifted.tenant_id!),
  entry_route: text(mapValueSql(SpanAttr.entryRoute)),
  entry_kind: text(mapValueSql(SpanAttr.entryKind)),
  query_name: text(lifted.query_name!),
  // LowCardinality although a statement is text: the kernel sends statements with placeholders
  // (semantic conventions ask the same of every SDK), so there are few, and every question
  // that tells a query span reads this column for each span it scans (as Nullable(String),
  // errors at 10M spans took 0.93 s against 0.59 s).
  query_text: text(lifted.query_text!),
  route: text(lifted.route!),
  component: text(lifted.component!),
  job_name: text(lifted.job_name!),
  webhook_endpoint: text(lifted.webhook_endpoint!),
  consumer: text(mapValueSql(SpanAttr.consumerGroup)),
  request_id: id(lifted.request_id!),
  job_id: id(lifted.job_id!),
  run_id: id(lifted.run_id!),
  parent_trace_id: id(lifted.parent_trace_id!),
  parent_request_id: id(lifted.parent_request_id!),
  budget_ms: { sql: lifted.budget_ms!, type: 'Nullable(Float64)' },
  http_status: { sql: lifted.http_status!, type: 'Nullable(Int32)' },
  webhook_attempt: { sql: lifted.webhook_attempt!, type: 'Nullable(Int32)' },
  perf_violation: { sql: lifted.perf_violation!, type: 'Bool' },
  housekeeping: { sql: `toBool(SpanAttributes[${literal(SpanAttr.housekeeping)}] = 'true')`, type: 'Bool' },
  // Attributes DuckDB keeps in the JSON and reads from there; the ClickHouse questions read these
  // columns of the view (the attempt a job's retries count, an event's identity and outcome, the
  // error's type) rather than the JSON of every span they scan.
  error_type: text(mapValueSql(SpanAttr.errorType)),
  job_attempt: { sql: `toInt64OrNull(${mapValueSql(SpanAttr.jobAttempt)})`, type: 'Nullable(Int64)' },
  event_type: text(mapValueSql(SpanAttr.eventType)),
  event_id: id(mapValueSql(SpanAttr.eventId)),
  event_outcome: text(mapValueSql(SpanAttr.eventOutcome)),
} as const satisfies Record<string, StorableColumn>;
export type StorableSpanColumn = keyof typeof STORABLE_SPAN_COLUMNS;

/** For each storable column present in `otel_traces`, its name there (read as it is). */
export type StoredSpanColumns = Partial<Record<StorableSpanColumn, string>>;

function spanViewsSql(stored: StoredSpanColumns): string[] {
  const read = (column: StorableSpanColumn): string => `${stored[column] ?? STORABLE_SPAN_COLUMNS[column].sql} AS ${column}`;
  const spans = `
CREATE OR REPLACE VIEW ${SPANS_VIEW} AS SELECT
  ${read('tenant_id')}, TraceId AS trace_id, SpanId AS span_id, nullIf(ParentSpanId, '') AS parent_span_id,
  nullIf(ServiceName, '') AS service, ${mapValueSql('service.instance.id', 'ResourceAttributes')} AS instance,
  SpanName AS name, ${KIND_SQL} AS kind, ${read('route')}, ${read('component')},
  ${STATUS_SQL} AS status_code, nullIf(StatusMessage, '') AS status_message,
  toUnixTimestamp64Nano(Timestamp) AS start_ns, toUnixTimestamp64Nano(Timestamp) + toInt64(Duration) AS end_ns,
  Duration / 1e6 AS duration_ms,
  ${read('perf_violation')}, ${read('budget_ms')},
  ${read('query_name')}, ${read('query_text')}, ${read('http_status')},
  ${read('request_id')}, ${read('webhook_endpoint')}, ${read('webhook_attempt')},
  ${read('job_name')}, ${read('job_id')}, ${read('run_id')},
  ${read('parent_trace_id')}, ${read('parent_request_id')},
  nullIf(ScopeName, '') AS scope_name,
  toJSONString(mapFilter((k, v) -> k NOT IN (${liftedOut}), SpanAttributes)) AS attributes, SpanAttributes AS attribute_map,
  toJSONString(ResourceAttributes) AS resource,
  ${read('entry_route')}, ${read('entry_kind')}, ${read('housekeeping')}, ${read('consumer')},
  ${read('error_type')}, ${read('job_attempt')}, ${read('event_type')}, ${read('event_id')}, ${read('event_outcome')},
  Timestamp
FROM ${OTEL_TRACES_TABLE}`;

  // span_event_names and span_linked_trace_ids: all of the span's event names and linked
  // traces, row-level columns a question filters on first (\`has(span_event_names, 'exception')\`),
  // so that only the spans with such an event or link are array-joined (a condition on one
  // event or link alone applies after the join of every span's).
  const events = `
CREATE OR REPLACE VIEW ${SPAN_EVENTS_VIEW} AS SELECT
  ${read('tenant_id')}, TraceId AS trace_id, SpanId AS span_id, toUnixTimestamp64Nano(event.1) AS time_ns,
  toString(event.2) AS name, toJSONString(event.3) AS attributes,
  Events.Name AS span_event_names, Timestamp
FROM ${OTEL_TRACES_TABLE} ARRAY JOIN arrayZip(Events.Timestamp, Events.Name, Events.Attributes) AS event`;

  const links = `
CREATE OR REPLACE VIEW ${SPAN_LINKS_VIEW} AS SELECT
  ${read('tenant_id')}, toUnixTimestamp64Nano(Timestamp) AS time_ns, TraceId AS trace_id, SpanId AS span_id,
  link.1 AS linked_trace_id, link.2 AS linked_span_id, toJSONString(link.3) AS attributes,
  Links.TraceId AS span_linked_trace_ids, Timestamp
FROM ${OTEL_TRACES_TABLE} ARRAY JOIN arrayZip(Links.TraceId, Links.SpanId, Links.Attributes) AS link`;
  return [spans, events, links];
}

/** The log view's tenant, as `stitch store migrate` stores it in `otel_logs` (store-migration.ts). */
export const STORABLE_LOG_TENANT = text(`coalesce(${firstOf([LogField.tenantId, SpanAttr.tenantId], 'LogAttributes')}, ${mapValueSql(SpanAttr.tenantId, 'ResourceAttributes')})`);

function logsViewSql(storedTenant: string | undefined): string {
  return `
CREATE OR REPLACE VIEW ${LOGS_VIEW} AS SELECT
  ${storedTenant ?? STORABLE_LOG_TENANT.sql} AS tenant_id, toUnixTimestamp64Nano(Timestamp) AS time_ns, toUnixTimestamp64Nano(Timestamp) AS observed_ns,
  toInt8(SeverityNumber) AS severity_number, nullIf(SeverityText, '') AS severity_text, Body AS body,
  nullIf(TraceId, '') AS trace_id, nullIf(SpanId, '') AS span_id,
  coalesce(nullIf(ServiceName, ''), ${mapValueSql(LogField.service, 'LogAttributes')}) AS service,
  coalesce(${mapValueSql('service.instance.id', 'ResourceAttributes')}, ${mapValueSql(LogField.nodeId, 'LogAttributes')}) AS instance,
  ${mapValueSql(LogField.component, 'LogAttributes')} AS component,
  toBool(LogAttributes[${literal(LogField.perfViolation)}] = 'true') AS perf_violation,
  toJSONString(LogAttributes) AS attributes, toJSONString(ResourceAttributes) AS resource, Timestamp
FROM ${OTEL_LOGS_TABLE}`;
}

/**
 * Stitch's one table of its own: who read what (seed 002), as in DuckDB and under the same
 * name, so the audit's statements are written once (auth/audit-log.ts). The exporter has none.
 */
export const AUDIT_TABLE = 'audit';
const AUDIT_SQL = `
CREATE TABLE IF NOT EXISTS ${AUDIT_TABLE} (
  time_ns Int64, token_id Nullable(String), scope Nullable(String), tenant_id Nullable(String), route String,
  query String, status Int32, request_id String, count Int32 DEFAULT 1
) ENGINE = MergeTree PARTITION BY toDate(fromUnixTimestamp64Nano(time_ns)) ORDER BY time_ns`;

/** The columns `stitch store migrate` added: the spans' by view column, the logs' tenant. */
export interface StoredColumns {
  spans: StoredSpanColumns;
  logTenant: string | undefined;
}

/**
 * Run in order at open, after the exporter's tables exist; `stored`: the columns
 * `stitch store migrate` added, read instead of their map expressions.
 */
export function stitchViewsSql(stored: StoredColumns = { spans: {}, logTenant: undefined }): string[] {
  return [...spanViewsSql(stored.spans), logsViewSql(stored.logTenant), AUDIT_SQL];
}
