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

/**
 * The view columns `stitch store migrate` stores as materialized columns of `otel_traces`
 * (store-migration.ts), each with the expression the view reads it by otherwise.
 */
export const STORABLE_SPAN_COLUMNS = {
  tenant_id: lifted.tenant_id!,
  entry_route: mapValueSql(SpanAttr.entryRoute),
  query_name: lifted.query_name!,
} as const;
export type StorableSpanColumn = keyof typeof STORABLE_SPAN_COLUMNS;

/** For each storable column present in `otel_traces`, its name there (Nullable, read as it is). */
export type StoredSpanColumns = Partial<Record<StorableSpanColumn, string>>;

function spanViewsSql(stored: StoredSpanColumns): string[] {
  const read = (column: StorableSpanColumn): string => stored[column] ?? STORABLE_SPAN_COLUMNS[column];
  const spans = `
CREATE OR REPLACE VIEW ${SPANS_VIEW} AS SELECT
  ${read('tenant_id')} AS tenant_id, TraceId AS trace_id, SpanId AS span_id, nullIf(ParentSpanId, '') AS parent_span_id,
  nullIf(ServiceName, '') AS service, ${mapValueSql('service.instance.id', 'ResourceAttributes')} AS instance,
  SpanName AS name, ${KIND_SQL} AS kind, ${lifted.route} AS route, ${lifted.component} AS component,
  ${STATUS_SQL} AS status_code, nullIf(StatusMessage, '') AS status_message,
  toUnixTimestamp64Nano(Timestamp) AS start_ns, toUnixTimestamp64Nano(Timestamp) + toInt64(Duration) AS end_ns,
  Duration / 1e6 AS duration_ms,
  ${lifted.perf_violation} AS perf_violation, ${lifted.budget_ms} AS budget_ms,
  ${read('query_name')} AS query_name, ${lifted.query_text} AS query_text, ${lifted.http_status} AS http_status,
  ${lifted.request_id} AS request_id, ${lifted.webhook_endpoint} AS webhook_endpoint, ${lifted.webhook_attempt} AS webhook_attempt,
  ${lifted.job_name} AS job_name, ${lifted.job_id} AS job_id, ${lifted.run_id} AS run_id,
  ${lifted.parent_trace_id} AS parent_trace_id, ${lifted.parent_request_id} AS parent_request_id,
  nullIf(ScopeName, '') AS scope_name,
  toJSONString(mapFilter((k, v) -> k NOT IN (${liftedOut}), SpanAttributes)) AS attributes,
  toJSONString(ResourceAttributes) AS resource,
  ${read('entry_route')} AS entry_route, ${mapValueSql(SpanAttr.entryKind)} AS entry_kind,
  toBool(SpanAttributes[${literal(SpanAttr.housekeeping)}] = 'true') AS housekeeping,
  ${mapValueSql(SpanAttr.consumerGroup)} AS consumer,
  Timestamp
FROM ${OTEL_TRACES_TABLE}`;

  const events = `
CREATE OR REPLACE VIEW ${SPAN_EVENTS_VIEW} AS SELECT
  ${read('tenant_id')} AS tenant_id, TraceId AS trace_id, SpanId AS span_id, toUnixTimestamp64Nano(event.1) AS time_ns,
  toString(event.2) AS name, toJSONString(event.3) AS attributes, Timestamp
FROM ${OTEL_TRACES_TABLE} ARRAY JOIN arrayZip(Events.Timestamp, Events.Name, Events.Attributes) AS event`;

  const links = `
CREATE OR REPLACE VIEW ${SPAN_LINKS_VIEW} AS SELECT
  ${read('tenant_id')} AS tenant_id, toUnixTimestamp64Nano(Timestamp) AS time_ns, TraceId AS trace_id, SpanId AS span_id,
  link.1 AS linked_trace_id, link.2 AS linked_span_id, toJSONString(link.3) AS attributes, Timestamp
FROM ${OTEL_TRACES_TABLE} ARRAY JOIN arrayZip(Links.TraceId, Links.SpanId, Links.Attributes) AS link`;
  return [spans, events, links];
}

const logTenant = `coalesce(${firstOf([LogField.tenantId, SpanAttr.tenantId], 'LogAttributes')}, ${mapValueSql(SpanAttr.tenantId, 'ResourceAttributes')})`;
const LOGS_SQL = `
CREATE OR REPLACE VIEW ${LOGS_VIEW} AS SELECT
  ${logTenant} AS tenant_id, toUnixTimestamp64Nano(Timestamp) AS time_ns, toUnixTimestamp64Nano(Timestamp) AS observed_ns,
  toInt8(SeverityNumber) AS severity_number, nullIf(SeverityText, '') AS severity_text, Body AS body,
  nullIf(TraceId, '') AS trace_id, nullIf(SpanId, '') AS span_id,
  coalesce(nullIf(ServiceName, ''), ${mapValueSql(LogField.service, 'LogAttributes')}) AS service,
  coalesce(${mapValueSql('service.instance.id', 'ResourceAttributes')}, ${mapValueSql(LogField.nodeId, 'LogAttributes')}) AS instance,
  ${mapValueSql(LogField.component, 'LogAttributes')} AS component,
  toBool(LogAttributes[${literal(LogField.perfViolation)}] = 'true') AS perf_violation,
  toJSONString(LogAttributes) AS attributes, toJSONString(ResourceAttributes) AS resource, Timestamp
FROM ${OTEL_LOGS_TABLE}`;

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

/**
 * Run in order at open, after the exporter's tables exist; `stored`: the columns
 * `stitch store migrate` added, read instead of their map expressions.
 */
export function stitchViewsSql(stored: StoredSpanColumns = {}): string[] {
  return [...spanViewsSql(stored), LOGS_SQL, AUDIT_SQL];
}

/** The views on the exporter's schema as it is, before any `stitch store migrate`. */
export const STITCH_VIEWS_SQL: readonly string[] = stitchViewsSql();
