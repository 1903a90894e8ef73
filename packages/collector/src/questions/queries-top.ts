import type { QueriesTopResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { housekeepingClause } from './attribute-sql.js';
import { isoFromNanos, num, sqlLimit, strList, strOrNull, tenantClause, type QueryScope } from './query-scope.js';

export interface QueriesTopOptions {
  /**
   * Keep the kernel's own statements (`stitch.housekeeping`: run and delivery records, outbox
   * lag and purge); left out by default, since in a quiet service they were the top two.
   */
  includeHousekeeping?: boolean;
}

/**
 * `stitch queries --top`, "which query caused the spike?": query spans grouped by query name (or
 * statement when unnamed), ranked by how much their time grew in the window against the window
 * of the same length just before it, with the slowest traces and the tenants affected. A query
 * that is always expensive has no growth and so does not outrank the one that spiked.
 */
export async function askQueriesTop(store: Store, scope: QueryScope, limit: number, options: QueriesTopOptions = {}): Promise<QueriesTopResponse> {
  const t = tenantClause(scope.tenantId);
  const baselineSince = scope.sinceNanos - (scope.untilNanos - scope.sinceNanos);
  const inWindow = 'start_ns >= $since';
  const rows = await store.query(
    `SELECT any_value(query_name) AS query_name, any_value(query_text) AS statement,
        count(*) FILTER (WHERE ${inWindow}) AS n,
        coalesce(sum(duration_ms) FILTER (WHERE ${inWindow}), 0) AS total,
        quantile_cont(duration_ms, 0.95) FILTER (WHERE ${inWindow}) AS p95,
        max(duration_ms) FILTER (WHERE ${inWindow}) AS mx,
        count(*) FILTER (WHERE NOT ${inWindow}) AS baseline_n,
        coalesce(sum(duration_ms) FILTER (WHERE NOT ${inWindow}), 0) AS baseline_total,
        quantile_cont(duration_ms, 0.95) FILTER (WHERE NOT ${inWindow}) AS baseline_p95,
        count(DISTINCT tenant_id) FILTER (WHERE ${inWindow}) AS tenant_count,
        (list(DISTINCT tenant_id) FILTER (WHERE ${inWindow} AND tenant_id IS NOT NULL))[1:10] AS tenants,
        max_by(trace_id, duration_ms, 3) FILTER (WHERE ${inWindow}) AS examples
     FROM spans
     WHERE (query_name IS NOT NULL OR query_text IS NOT NULL) AND start_ns >= $baseline AND start_ns < $until${t.sql}${housekeepingClause(
       options.includeHousekeeping ?? false,
     )}
     GROUP BY coalesce(query_name, query_text)
     HAVING count(*) FILTER (WHERE ${inWindow}) > 0
     ORDER BY total - baseline_total DESC, total DESC LIMIT ${sqlLimit(limit, 100)}`,
    { baseline: baselineSince, since: scope.sinceNanos, until: scope.untilNanos, ...t.params },
  );
  return {
    window: scope.window,
    baseline: { since: isoFromNanos(baselineSince), until: scope.window.since },
    queries: rows.map((r) => {
      const totalMs = num(r.total);
      const baselineTotalMs = num(r.baseline_total);
      return {
        queryName: strOrNull(r.query_name),
        statement: strOrNull(r.statement),
        count: num(r.n),
        totalMs,
        p95Ms: num(r.p95),
        maxMs: num(r.mx),
        baselineCount: num(r.baseline_n),
        baselineTotalMs,
        baselineP95Ms: r.baseline_p95 === null || r.baseline_p95 === undefined ? null : num(r.baseline_p95),
        growthMs: totalMs - baselineTotalMs,
        tenantCount: num(r.tenant_count),
        tenants: strList(r.tenants),
        exampleTraceIds: strList(r.examples),
      };
    }),
  };
}
