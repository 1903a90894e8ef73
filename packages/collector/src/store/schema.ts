import { SpanAttr } from '@stitch/contract';

/**
 * The store's tables. Everything a question filters or groups on is a real column; the rest of
 * the attributes stay as JSON text for display. Times are Unix nanoseconds (BIGINT) as OTLP
 * sends them; `duration_ms` is precomputed because every question ranks by it.
 *
 * No secondary indexes: DuckDB's ART indexes slow the appender and its zone maps already prune
 * by time, since rows arrive roughly in time order.
 */
export const SCHEMA_VERSION = 6;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS spans (
  tenant_id VARCHAR, trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL, parent_span_id VARCHAR,
  service VARCHAR, instance VARCHAR, name VARCHAR, kind TINYINT, route VARCHAR, component VARCHAR,
  status_code TINYINT, status_message VARCHAR,
  start_ns BIGINT, end_ns BIGINT, duration_ms DOUBLE,
  perf_violation BOOLEAN, budget_ms DOUBLE,
  query_name VARCHAR, query_text VARCHAR, http_status INTEGER, request_id VARCHAR,
  webhook_endpoint VARCHAR, webhook_attempt INTEGER,
  job_name VARCHAR, job_id VARCHAR, run_id VARCHAR, parent_trace_id VARCHAR, parent_request_id VARCHAR,
  scope_name VARCHAR, attributes VARCHAR, resource VARCHAR,
  entry_route VARCHAR, entry_kind VARCHAR, housekeeping BOOLEAN DEFAULT false, consumer VARCHAR
);
CREATE TABLE IF NOT EXISTS span_events (
  tenant_id VARCHAR, trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL, time_ns BIGINT, name VARCHAR, attributes VARCHAR
);
CREATE TABLE IF NOT EXISTS span_links (
  tenant_id VARCHAR, time_ns BIGINT, trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL,
  linked_trace_id VARCHAR NOT NULL, linked_span_id VARCHAR NOT NULL, attributes VARCHAR
);
CREATE TABLE IF NOT EXISTS logs (
  tenant_id VARCHAR, time_ns BIGINT, observed_ns BIGINT, severity_number TINYINT, severity_text VARCHAR,
  body VARCHAR, trace_id VARCHAR, span_id VARCHAR, service VARCHAR, instance VARCHAR, component VARCHAR,
  perf_violation BOOLEAN, attributes VARCHAR, resource VARCHAR
);
CREATE TABLE IF NOT EXISTS audit (
  time_ns BIGINT, token_id VARCHAR, scope VARCHAR, tenant_id VARCHAR, route VARCHAR, query VARCHAR,
  status INTEGER, request_id VARCHAR
);
-- v2: entry_route, the route of the span's local entry (server) span. Stores made before it get
-- the column (NULL for old rows) on open.
ALTER TABLE spans ADD COLUMN IF NOT EXISTS entry_route VARCHAR;
-- v3: entry_kind (what started the work: http, job, consumer, webhook, batch) beside entry_route,
-- which now prefers the entry the kernel carries (stitch.entry.*) to the one found in the batch;
-- housekeeping (stitch.housekeeping), so the questions leave the kernel's bookkeeping out on a
-- column, not by parsing the JSON of every row. Old rows: no entry kind, not housekeeping.
ALTER TABLE spans ADD COLUMN IF NOT EXISTS entry_kind VARCHAR;
ALTER TABLE spans ADD COLUMN IF NOT EXISTS housekeeping BOOLEAN DEFAULT false;
-- v4: consumer (messaging.consumer.group.name), so stitch slow ranks an event consumer beside
-- the routes and jobs on a column. Old rows: none.
ALTER TABLE spans ADD COLUMN IF NOT EXISTS consumer VARCHAR;
-- v5: audit.count, the requests one audit row stands for: 1 for each answered request; refusals
-- past a client's rate are summarised as one row with their count. Old rows: 1 each.
ALTER TABLE audit ADD COLUMN IF NOT EXISTS count INTEGER DEFAULT 1;
-- v6: query_name also from db.query.summary when the span has no caller's name (rows: ROW_MIGRATIONS).
INSERT OR REPLACE INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}');
`;

/**
 * Rewrites of rows already stored, for a store older than `version`, run once in the same
 * transaction as SCHEMA_SQL: a lifted column whose meaning grew gets its value for old rows too,
 * so a question answers the same over spans stored before and after the upgrade.
 */
export const ROW_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    // The query's name is the caller's, else the convention's summary (store/lifted-columns.ts).
    // Summaries stayed in the attribute JSON, so old rows give it back.
    version: 6,
    sql: `UPDATE spans SET query_name = json_extract_string(attributes, '$."${SpanAttr.querySummary}"')
          WHERE query_name IS NULL AND contains(attributes, '"${SpanAttr.querySummary}"')
            AND coalesce(json_extract_string(attributes, '$."${SpanAttr.querySummary}"'), '') <> ''`,
  },
];

/** Tables that retention trims, with their time column. */
export const RETAINED_TABLES = [
  { table: 'spans', timeColumn: 'start_ns' },
  { table: 'span_events', timeColumn: 'time_ns' },
  { table: 'span_links', timeColumn: 'time_ns' },
  { table: 'logs', timeColumn: 'time_ns' },
] as const;
