import { SpanAttr } from '@stitch/contract';
import type { EntryKind, ErrorsResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { attributeSql as attr, housekeepingClause } from './attribute-sql.js';
import { sqlFor, topValuesByKeySql, type EngineSql } from './engine-sql.js';
import { COMPONENT_SQL, isoFromNanos, num, sqlLimit, strList, strOrNull, tenantClause, type QueryScope } from './query-scope.js';

export interface ErrorsOptions {
  limit: number;
  /** Case-insensitive text the message, the error type or the code must contain. */
  grep?: string;
  /** Keep the kernel's bookkeeping spans (run and delivery records); left out by default. */
  includeHousekeeping?: boolean;
}

/**
 * Messages that differ only by ids and numbers ("approval 41 rejected", "approval 42 rejected")
 * are one failure: grouping by the raw message made one row per approval. UUIDs, long hex ids
 * (trace and span ids) and digit runs are blanked for the grouping key; the row shows the latest
 * message as it was.
 */
const MESSAGE_SHAPE_SQL = `regexp_replace(regexp_replace(regexp_replace(coalesce(message, ''),
  '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', '<uuid>', 'g'),
  '\\b[0-9a-fA-F]{16,}\\b', '<id>', 'g'), '[0-9]+', '<n>', 'g')`;

/** The same shape in ClickHouse: re2's `\\b` needs its backslash escaped in a ClickHouse string. */
const MESSAGE_SHAPE_CLICKHOUSE_SQL = `replaceRegexpAll(replaceRegexpAll(replaceRegexpAll(coalesce(message, ''),
  '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', '<uuid>'),
  '\\\\b[0-9a-fA-F]{16,}\\\\b', '<id>'), '[0-9]+', '<n>')`;

/**
 * A failing step's entry kind and entry in `resolved`, from its leaf `l` and its trace's root
 * route `r`: the same text in both engines' statements.
 */
const RESOLVED_ENTRY_SQL = `coalesce(l.entry_kind, CASE
             WHEN coalesce(l.route, l.entry_route, r.root_route) IS NOT NULL THEN 'http'
             WHEN l.job_name IS NOT NULL THEN 'job'
             WHEN l.webhook_endpoint IS NOT NULL THEN 'webhook'
             WHEN l.consumer IS NOT NULL THEN 'consumer' END) AS entry_kind,
           coalesce(l.entry_route, l.route, r.root_route, l.job_name, l.webhook_endpoint, l.consumer) AS entry`;

/**
 * `grep` as data: `contains()` compares plain text, so `%`, `_`, quotes or SQL in the text are
 * matched literally (no LIKE pattern, no interpolation), and both sides are lower-cased by DuckDB.
 */
function grepClause(grep: string | undefined, dialect: Store['dialect']): { sql: string; params: Record<string, string> } {
  if (grep === undefined || grep === '') return { sql: '', params: {} };
  const hit = (col: string): string =>
    dialect === 'duckdb' ? `contains(lower(coalesce(${col}, '')), lower($grep))` : `position(lower(coalesce(${col}, '')), lower($grep)) > 0`;
  return { sql: ` WHERE ${hit('message')} OR ${hit('exc_message')} OR ${hit('error_type')}`, params: { grep } };
}

/**
 * `stitch errors`: "Which approval failed and where?" and, with `--grep`, "Which tenant
 * experienced this failure?".
 *
 * A failure is a *failing step*: a span with error status none of whose children failed, i.e.
 * the deepest error span on its branch (the route span the error bubbled up to is not a second
 * failure). Each is placed under its entry — what started the work: the `entry_kind` and
 * `entry_route` ingest stored (normalize-traces.ts: the `stitch.entry.*` the kernel carries
 * through every hop, so a job's third attempt or a webhook retry exported long after its request
 * still names it, else the entry found among the span's ancestors in the same export); else the
 * route of its trace's stored server span (late spans of older kernels and of other services);
 * else the span's own job, endpoint or consumer. Without that, one failure showed as two rows, once under
 * its route and once under `-` (issue 11).
 *
 * Rows are one per (entry, step, error type, message shape), tenants inside the row with their
 * counts, most frequent first.
 */
export async function askErrors(store: Store, scope: QueryScope, options: ErrorsOptions): Promise<ErrorsResponse> {
  const t = tenantClause(scope.tenantId);
  const g = grepClause(options.grep, store.dialect);
  const limit = sqlLimit(options.limit, 500);
  const housekeeping = (dialect: Store['dialect']): string => housekeepingClause(options.includeHousekeeping ?? false, 'housekeeping', dialect);
  // MATERIALIZED: DuckDB inlines a CTE at each use, and `failed` (in `leaf`, twice) and `leaf` (in
  // exc, roots and resolved) made eight scans of the spans table; once each, errors went from
  // ~1.9 s to ~0.8 s on the 1M-span bench store (load 15, bench/collector-queries.bench.ts).
  const sql: EngineSql = {
    duckdb: `WITH failed AS MATERIALIZED (
       SELECT trace_id, span_id, parent_span_id, tenant_id, service, name, start_ns, status_message,
           route, entry_route, entry_kind, job_name, webhook_endpoint, ${COMPONENT_SQL} AS comp,
           ${attr(SpanAttr.errorType)} AS error_type_attr, ${attr(SpanAttr.consumerGroup)} AS consumer
       FROM spans
       WHERE status_code = 2 AND start_ns >= $since AND start_ns < $until${t.sql}${housekeeping('duckdb')}),
     leaf AS MATERIALIZED (
       SELECT * FROM failed f
       WHERE NOT EXISTS (SELECT 1 FROM failed c WHERE c.trace_id = f.trace_id AND c.parent_span_id = f.span_id)),
     exc AS (
       SELECT e.trace_id, e.span_id,
           arg_max(${attr('exception.type', 'e.attributes')}, e.time_ns) AS exc_type,
           arg_max(${attr('exception.message', 'e.attributes')}, e.time_ns) AS exc_message
       FROM span_events e SEMI JOIN leaf l ON e.trace_id = l.trace_id AND e.span_id = l.span_id
       WHERE e.name = 'exception' AND e.time_ns >= $since
       GROUP BY e.trace_id, e.span_id),
     roots AS (
       SELECT trace_id, arg_min(route, [CASE WHEN parent_span_id IS NULL THEN 0 ELSE 1 END, start_ns]) AS root_route
       FROM spans
       WHERE kind = 2 AND route IS NOT NULL${t.sql}
         AND trace_id IN (SELECT trace_id FROM leaf WHERE entry_route IS NULL AND route IS NULL)
       GROUP BY trace_id),
     resolved AS (
       SELECT l.trace_id, l.tenant_id, l.service, l.name AS step, l.start_ns, l.comp,
           ${RESOLVED_ENTRY_SQL},
           coalesce(x.exc_type, l.error_type_attr) AS error_type,
           coalesce(nullif(l.status_message, ''), x.exc_message) AS message, x.exc_message
       FROM leaf l LEFT JOIN exc x USING (trace_id, span_id) LEFT JOIN roots r USING (trace_id)),
     matched AS (SELECT *, ${MESSAGE_SHAPE_SQL} AS shape FROM resolved${g.sql}),
     per_tenant AS (
       SELECT entry_kind, entry, step, error_type, shape, tenant_id, count(*) AS n, list(DISTINCT trace_id) AS traces,
           min(start_ns) AS first_ns, max(start_ns) AS last_ns, arg_max(message, start_ns) AS last_message,
           arg_max(comp, start_ns) AS comp, arg_max(service, start_ns) AS service, max_by(trace_id, start_ns, 10) AS examples
       FROM matched GROUP BY ALL)
     SELECT entry_kind, entry, step, error_type, sum(n) AS n, len(list_distinct(flatten(list(traces)))) AS trace_count,
         min(first_ns) AS first_ns, max(last_ns) AS last_ns, arg_max(last_message, last_ns) AS last_message,
         arg_max(comp, last_ns) AS comp, arg_max(service, last_ns) AS service,
         list({'tenant': tenant_id, 'count': n} ORDER BY n DESC, tenant_id)[1:20] AS tenants, count(*) AS tenant_count,
         flatten(list(examples ORDER BY last_ns DESC)) AS examples
     FROM per_tenant GROUP BY entry_kind, entry, step, error_type, shape
     ORDER BY n DESC, last_ns DESC, entry, step LIMIT ${limit}`,
    // No correlated NOT EXISTS in ClickHouse: a leaf is a failed span that is no failed span's
    // parent. Aggregates are aliased apart from the columns they read and renamed outside
    // (engine-sql.ts: an alias reaches the other aggregates of its SELECT). CTEs are inlined at
    // each use: `exc` takes every exception event of the window and `roots` the traces of every
    // failed span without a route (the LEFT JOINs keep the leaves'), since `IN (… FROM leaf)`
    // evaluated leaf again and checked every span's ids against it (1.3 s of errors' 1.8 s on
    // the 10M-span bench store; 0.5 s without). `roots` is a semi join, not `trace_id IN (…)`:
    // 0.14 s against 0.25 s there. Both engines look for roots among the tenant's own spans when
    // bound to one, as every tenant-bound read does (ClickHouse reads them from the projection by
    // tenant: 0.38 s → 0.3 s for the busiest tenant).
    clickhouse: `WITH failed AS (
       SELECT trace_id, span_id, parent_span_id, tenant_id, service, name, start_ns, status_message,
           route, entry_route, entry_kind, job_name, webhook_endpoint, ${COMPONENT_SQL} AS comp,
           error_type AS error_type_attr, consumer
       FROM stitch_spans
       WHERE status_code = 2 AND start_ns >= $since AND start_ns < $until${t.sql}${housekeeping('clickhouse')}),
     leaf AS (
       SELECT * FROM failed
       WHERE (trace_id, span_id) NOT IN (SELECT trace_id, assumeNotNull(parent_span_id) FROM failed WHERE parent_span_id IS NOT NULL)),
     exc AS (
       SELECT trace_id, span_id,
           argMax(${attr('exception.type', 'attributes', 'clickhouse')}, time_ns) AS exc_type,
           argMax(${attr('exception.message', 'attributes', 'clickhouse')}, time_ns) AS exc_message
       FROM stitch_span_events
       WHERE has(span_event_names, 'exception') AND name = 'exception' AND time_ns >= $since${t.sql}
       GROUP BY trace_id, span_id),
     roots AS (
       SELECT s.trace_id AS trace_id, argMin(s.route, (if(s.parent_span_id IS NULL, 0, 1), s.start_ns)) AS root_route
       FROM (SELECT trace_id, route, parent_span_id, start_ns FROM stitch_spans WHERE kind = 2 AND route IS NOT NULL${t.sql}) s
       LEFT SEMI JOIN (SELECT DISTINCT trace_id FROM stitch_spans
           WHERE status_code = 2 AND start_ns >= $since AND start_ns < $until AND entry_route IS NULL AND route IS NULL${t.sql}) f ON f.trace_id = s.trace_id
       GROUP BY s.trace_id),
     resolved AS (
       SELECT l.trace_id AS trace_id, l.tenant_id AS tenant_id, l.service AS service, l.name AS step, l.start_ns AS start_ns, l.comp AS comp,
           ${RESOLVED_ENTRY_SQL},
           coalesce(x.exc_type, l.error_type_attr) AS error_type,
           coalesce(nullIf(l.status_message, ''), x.exc_message) AS message, x.exc_message AS exc_message
       FROM leaf l LEFT JOIN exc x ON x.trace_id = l.trace_id AND x.span_id = l.span_id LEFT JOIN roots r ON r.trace_id = l.trace_id),
     matched AS (SELECT *, ${MESSAGE_SHAPE_CLICKHOUSE_SQL} AS shape FROM resolved${g.sql}),
     per_tenant AS (
       SELECT entry_kind, entry, step, error_type, shape, tenant_id, count(*) AS n, groupUniqArray(trace_id) AS traces,
           min(start_ns) AS first_ns, max(start_ns) AS last_ns, argMax(message, start_ns) AS last_message,
           argMax(comp, start_ns) AS comp, argMax(service, start_ns) AS service, ${topValuesByKeySql('trace_id', 'start_ns', 10)} AS examples
       FROM matched GROUP BY entry_kind, entry, step, error_type, shape, tenant_id)
     SELECT entry_kind, entry, step, error_type, total AS n, trace_count, first AS first_ns, last AS last_ns, last_message,
         comp_ AS comp, service_ AS service, tenants, tenant_count, examples
     FROM (
       SELECT entry_kind, entry, step, error_type, sum(n) AS total, length(arrayDistinct(arrayFlatten(groupArray(traces)))) AS trace_count,
           min(first_ns) AS first, max(last_ns) AS last, argMax(last_message, last_ns) AS last_message,
           argMax(comp, last_ns) AS comp_, argMax(service, last_ns) AS service_,
           arraySlice(arraySort(p -> (-p.count, p.tenant), groupArray(CAST((tenant_id, n), 'Tuple(tenant Nullable(String), count UInt64)'))), 1, 20) AS tenants,
           count(*) AS tenant_count,
           arrayFlatten(arrayMap(p -> p.2, arrayReverseSort(p -> p.1, groupArray((last_ns, examples))))) AS examples
       FROM per_tenant GROUP BY entry_kind, entry, step, error_type, shape)
     ORDER BY n DESC, last_ns DESC, entry, step LIMIT ${limit}`,
  };
  const rows = await store.query(sqlFor(store, sql), { since: scope.sinceNanos, until: scope.untilNanos, ...t.params, ...g.params });
  return {
    window: scope.window,
    groups: rows.map((r) => ({
      entryKind: strOrNull(r.entry_kind) as EntryKind | null,
      entry: strOrNull(r.entry),
      step: String(r.step ?? ''),
      component: strOrNull(r.comp),
      service: strOrNull(r.service),
      errorType: strOrNull(r.error_type),
      message: strOrNull(r.last_message),
      count: num(r.n),
      traceCount: num(r.trace_count),
      tenants: (Array.isArray(r.tenants) ? (r.tenants as Record<string, unknown>[]) : []).map((x) => ({ tenantId: strOrNull(x.tenant), count: num(x.count) })),
      tenantCount: num(r.tenant_count),
      firstSeen: isoFromNanos(r.first_ns as string),
      lastSeen: isoFromNanos(r.last_ns as string),
      exampleTraceIds: [...new Set(strList(r.examples))].slice(0, 3),
    })),
  };
}
