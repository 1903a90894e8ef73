import type { TraceSearchResponse } from '@stitch/contract';
import type { Row, Store } from '../store/store.js';
import { sqlFor, tableFor, type EngineSql } from './engine-sql.js';
import { isoFromNanos, num, sqlLimit, strList, strOrNull, tenantClause, type QueryScope } from './query-scope.js';
import { attributeCondition, type AttributeMatch } from './span-attribute-filter.js';

// The root is the parentless span: the SDK's start times are milliseconds, so a child often
// ties with its root on start_ns (61% of request traces in issue 11). The earliest span names
// the trace only when its root has not been exported (yet).
const PARENTLESS = `(parent_span_id IS NULL OR parent_span_id = '')`;

/** What the web UI's search form can ask for; every filter is optional and they combine (AND). */
export interface TraceSearchFilter {
  service?: string;
  route?: string;
  minDurationMs?: number;
  errorsOnly?: boolean;
  violationsOnly?: boolean;
  /** A span whose name contains this text, case-insensitive (`orders.insert`, `enqueue`). */
  spanName?: string;
  /** A span with this attribute value (`stitch.job.id=job-7`). */
  attribute?: AttributeMatch;
  /**
   * Keep traces made only of the kernel's bookkeeping (`stitch.housekeeping`: an outbox lag
   * probe, a purge); left out by default, since they filled the default page (issue 11).
   */
  includeHousekeeping?: boolean;
  limit: number;
}

/**
 * Where the first look for the newest traces starts: the last sixteenth of the window. A page
 * of the newest traces is nearly always found there, and a scan of it costs a sixteenth.
 */
const FIRST_LOOK = 16n;

/** Traces picked from the tail beyond the page, for those of them that began before the cut. */
const STRADDLING_SLACK = 16;

/**
 * The `n` newest traces of the window that pass `having`: grouped from their spans, ordered by
 * their first span's start. Looked for in the window's last sixteenth first (at 10M spans over
 * 25 h, the whole window took 0.8 s to group on ClickHouse), then, when that holds fewer than
 * `n`, in the whole window. The answer is the same either way: a trace with all its spans in
 * the window's tail is grouped there whole; one with spans on both sides of the cut is dropped
 * there, and it is older than every trace kept. A trace that started before the window, as
 * always, counts from its first span in the window.
 */
async function pickNewest(
  store: Store,
  scope: QueryScope,
  tenant: { sql: string; params: Record<string, string> },
  having: readonly string[],
  params: Record<string, string | number | bigint>,
  n: number,
): Promise<Row[]> {
  const spans = tableFor(store, 'spans');
  const cut = scope.untilNanos - (scope.untilNanos - scope.sinceNanos) / FIRST_LOOK;
  // The same pick from `since` on: the window's start, or the cut.
  const pick = (since: bigint, limit: number): Promise<Row[]> =>
    store.query(
      `SELECT trace_id, min(start_ns) AS first_ns FROM ${spans}
       WHERE start_ns >= $since AND start_ns < $until${tenant.sql}
       GROUP BY trace_id
       ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
       ORDER BY first_ns DESC LIMIT ${limit}`,
      { ...params, since },
    );
  const tail = await pick(cut, n + STRADDLING_SLACK);
  if (tail.length >= n) {
    const ids = tail.map((r, i) => [`id${i}`, String(r.trace_id)] as const);
    const keys = ids.map(([k]) => `$${k}`).join(', ');
    const inIds = store.dialect === 'duckdb' ? `list_contains([${keys}], trace_id)` : `trace_id IN (${keys})`;
    // The tail's traces with a span before the cut, in the window: older than every other.
    const straddling = await store.query(`SELECT DISTINCT trace_id FROM ${spans} WHERE ${inIds} AND start_ns >= $since AND start_ns < $cut${tenant.sql}`, {
      since: scope.sinceNanos,
      cut,
      ...tenant.params,
      ...Object.fromEntries(ids),
    });
    const older = new Set(straddling.map((r) => String(r.trace_id)));
    const whole = tail.filter((r) => !older.has(String(r.trace_id)));
    if (whole.length >= n) return whole.slice(0, n);
  }
  // Fewer than n whole traces in the tail: the next ones may lie before the cut.
  return pick(scope.sinceNanos, n);
}

/**
 * Trace search: traces that started in the window, grouped from their spans, newest first.
 *
 * The filters are trace-level (`HAVING`): a trace matches `service=billing` when any of its
 * spans ran in billing, `errors` when any span failed. Tenant scoping is on the span scan, so a
 * tenant-bound token never groups (or counts) another tenant's spans.
 */
export async function askTraceSearch(store: Store, scope: QueryScope, filter: TraceSearchFilter): Promise<TraceSearchResponse> {
  const t = tenantClause(scope.tenantId);
  const duck = store.dialect === 'duckdb';
  // Some span of the trace matches: DuckDB's bool_or; ClickHouse has none by that name.
  const some = (condition: string): string => (duck ? `bool_or(${condition})` : `countIf(${condition}) > 0`);
  const having: string[] = [];
  const params: Record<string, string | number | bigint> = { since: scope.sinceNanos, until: scope.untilNanos, ...t.params };
  if (filter.service !== undefined) {
    having.push(some('service = $service'));
    params.service = filter.service;
  }
  if (filter.route !== undefined) {
    having.push(some('route = $route'));
    params.route = filter.route;
  }
  if (filter.minDurationMs !== undefined) {
    having.push('(max(end_ns) - min(start_ns)) / 1e6 >= $minMs');
    params.minMs = filter.minDurationMs;
  }
  // A trace with any span of the service's own work is kept whole, bookkeeping spans and all.
  if (filter.includeHousekeeping !== true) having.push(some(duck ? 'housekeeping IS NOT TRUE' : 'NOT housekeeping'));
  if (filter.errorsOnly) having.push(some('status_code = 2'));
  if (filter.violationsOnly) having.push(some('perf_violation'));
  if (filter.spanName !== undefined) {
    having.push(some(`${duck ? 'strpos' : 'position'}(lower(name), $spanName) > 0`));
    params.spanName = filter.spanName.toLowerCase();
  }
  if (filter.attribute !== undefined) {
    const attr = attributeCondition(filter.attribute, 'attr', store.dialect);
    having.push(some(attr.sql));
    Object.assign(params, attr.params);
  }
  const limit = sqlLimit(filter.limit, 1000);
  const picked = await pickNewest(store, scope, t, having, params, limit + 1);
  const page = picked.slice(0, limit);
  const ids = page.map((r, i) => [`id${i}`, String(r.trace_id)] as const);
  // Every span of the page's traces in the window starts at or after the oldest trace's first:
  // the summary reads from there, not from the window's start (the same rows, fewer scanned).
  const pageSince = page.map((r) => BigInt(String(r.first_ns))).reduce((oldest, first) => (first < oldest ? first : oldest), scope.untilNanos);
  const keys = ids.map(([k]) => `$${k}`).join(', ');
  const summary: EngineSql = {
    duckdb: `SELECT trace_id, any_value(tenant_id) AS tenant_id,
              coalesce(arg_min(service, start_ns) FILTER (WHERE ${PARENTLESS}), arg_min(service, start_ns)) AS root_service,
              coalesce(arg_min(name, start_ns) FILTER (WHERE ${PARENTLESS}), arg_min(name, start_ns)) AS root_name,
              arg_min(route, start_ns) FILTER (WHERE route IS NOT NULL) AS route,
              list(DISTINCT service) FILTER (WHERE service IS NOT NULL) AS services,
              min(start_ns) AS start_ns, (max(end_ns) - min(start_ns)) / 1e6 AS duration_ms,
              count(*) AS spans, count(*) FILTER (WHERE status_code = 2) AS errors,
              count(*) FILTER (WHERE perf_violation) AS violations
           FROM spans WHERE trace_id IN (${keys})
             AND start_ns >= $pageSince AND start_ns < $until${t.sql}
           GROUP BY trace_id ORDER BY start_ns DESC`,
    // Aggregates aliased apart from the columns they read, renamed outside (engine-sql.ts); an
    // argMinIf of no row is '' for a String, so the root falls back on a count, not on NULL.
    clickhouse: `SELECT trace_id, tenant AS tenant_id, root_service, root_name, first_route AS route, services, first_ns AS start_ns,
              duration_ms, spans, errors, violations FROM (
           SELECT trace_id, any(tenant_id) AS tenant,
              if(countIf(${PARENTLESS}) > 0, argMinIf(service, start_ns, ${PARENTLESS}), argMin(service, start_ns)) AS root_service,
              if(countIf(${PARENTLESS}) > 0, argMinIf(name, start_ns, ${PARENTLESS}), argMin(name, start_ns)) AS root_name,
              argMinIf(route, start_ns, route IS NOT NULL) AS first_route, groupUniqArray(service) AS services,
              min(start_ns) AS first_ns, (max(end_ns) - min(start_ns)) / 1e6 AS duration_ms,
              count(*) AS spans, countIf(status_code = 2) AS errors, countIf(perf_violation) AS violations
           FROM stitch_spans WHERE trace_id IN (${keys})
             AND start_ns >= $pageSince AND start_ns < $until${t.sql}
           GROUP BY trace_id) ORDER BY start_ns DESC`,
  };
  const rows =
    ids.length === 0
      ? []
      : await store.query(sqlFor(store, summary), { pageSince, until: scope.untilNanos, ...t.params, ...Object.fromEntries(ids) });
  return {
    window: scope.window,
    truncated: picked.length > limit,
    traces: rows.map((r) => ({
      traceId: String(r.trace_id),
      tenantId: strOrNull(r.tenant_id),
      rootService: strOrNull(r.root_service),
      rootName: String(r.root_name ?? ''),
      route: strOrNull(r.route),
      services: strList(r.services).sort(),
      startTime: isoFromNanos(r.start_ns as string),
      durationMs: Math.max(0, num(r.duration_ms)),
      spanCount: num(r.spans),
      errorCount: num(r.errors),
      violationCount: num(r.violations),
    })),
  };
}
