import type { QueriesTopResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { housekeepingClause } from './attribute-sql.js';
import { num, sqlLimit, strList, strOrNull, tenantClause, type QueryScope } from './query-scope.js';

export interface QueriesTopOptions {
  /**
   * Keep the kernel's own statements (`stitch.housekeeping`: run and delivery records, outbox
   * lag and purge); left out by default, since in a quiet service they were the top two.
   */
  includeHousekeeping?: boolean;
}

/**
 * `stitch queries --top`: query spans in the window grouped by query name (or statement when
 * unnamed), ranked by total time, with the slowest traces and the tenants affected.
 */
export async function askQueriesTop(store: Store, scope: QueryScope, limit: number, options: QueriesTopOptions = {}): Promise<QueriesTopResponse> {
  const t = tenantClause(scope.tenantId);
  const rows = await store.query(
    `SELECT any_value(query_name) AS query_name, any_value(query_text) AS statement, count(*) AS n,
        sum(duration_ms) AS total, quantile_cont(duration_ms, 0.95) AS p95, max(duration_ms) AS mx,
        count(DISTINCT tenant_id) AS tenant_count, list(DISTINCT tenant_id)[1:10] AS tenants,
        max_by(trace_id, duration_ms, 3) AS examples
     FROM spans
     WHERE (query_name IS NOT NULL OR query_text IS NOT NULL) AND start_ns >= $since AND start_ns < $until${t.sql}${housekeepingClause(
       options.includeHousekeeping ?? false,
     )}
     GROUP BY coalesce(query_name, query_text)
     ORDER BY total DESC LIMIT ${sqlLimit(limit, 100)}`,
    { since: scope.sinceNanos, until: scope.untilNanos, ...t.params },
  );
  return {
    window: scope.window,
    queries: rows.map((r) => ({
      queryName: strOrNull(r.query_name),
      statement: strOrNull(r.statement),
      count: num(r.n),
      totalMs: num(r.total),
      p95Ms: num(r.p95),
      maxMs: num(r.mx),
      tenantCount: num(r.tenant_count),
      tenants: strList(r.tenants),
      exampleTraceIds: strList(r.examples),
    })),
  };
}
