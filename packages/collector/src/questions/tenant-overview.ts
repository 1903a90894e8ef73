import type { TenantOverviewResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { sqlFor, tableFor, type EngineSql } from './engine-sql.js';
import { isoFromNanos, num, strOrNull, tenantClause, type QueryScope } from './query-scope.js';

/** Entry spans of a request: the server span that carries the route template. */
const ROUTE_SPANS = `kind = 2 AND route IS NOT NULL`;

/**
 * The tenant overview: p50/p95/p99 per route against the route's budget, and per time bucket
 * the entry requests, failed requests and budget violations (of any component: a slow query
 * counts even when its route stayed in budget). `tenantId` null is the platform-wide view.
 */
export async function askTenantOverview(store: Store, scope: QueryScope, bucketCount: number): Promise<TenantOverviewResponse> {
  const t = tenantClause(scope.tenantId);
  const params = { since: scope.sinceNanos, until: scope.untilNanos, ...t.params };
  const windowNanos = scope.untilNanos - scope.sinceNanos;
  const buckets = BigInt(Math.max(1, Math.min(Math.floor(bucketCount), 240)));
  // Whole milliseconds, at least one, so bucket starts are exact ISO times.
  const bucketNanos = ((windowNanos + buckets - 1n) / buckets / 1_000_000n + 1n) * 1_000_000n;
  const spans = tableFor(store, 'spans');
  const quantile = (q: number): string => (store.dialect === 'duckdb' ? `quantile_cont(duration_ms, ${q})` : `quantileExactInclusive(${q})(duration_ms)`);
  // `//` is integer division in DuckDB and a comment in ClickHouse (engine-sql.ts).
  const bucketSql: EngineSql = { duckdb: `(start_ns - $since) // ${bucketNanos}`, clickhouse: `intDiv(start_ns - $since, ${bucketNanos})` };
  const [routes, timeline] = await Promise.all([
    store.query(
      `SELECT route, any_value(service) AS service, count(*) AS n, count(*) FILTER (WHERE status_code = 2) AS errors,
          ${quantile(0.5)} AS p50, ${quantile(0.95)} AS p95,
          ${quantile(0.99)} AS p99, max(budget_ms) AS budget,
          count(*) FILTER (WHERE perf_violation) AS violations
       FROM ${spans} WHERE ${ROUTE_SPANS} AND start_ns >= $since AND start_ns < $until${t.sql}
       GROUP BY route ORDER BY p95 DESC LIMIT 100`,
      params,
    ),
    store.query(
      `SELECT ${sqlFor(store, bucketSql)} AS bucket,
          count(*) FILTER (WHERE ${ROUTE_SPANS}) AS requests,
          count(*) FILTER (WHERE ${ROUTE_SPANS} AND status_code = 2) AS errors,
          count(*) FILTER (WHERE perf_violation) AS violations
       FROM ${spans} WHERE start_ns >= $since AND start_ns < $until${t.sql}
         AND (perf_violation OR ${ROUTE_SPANS})
       GROUP BY bucket`,
      params,
    ),
  ]);
  const byBucket = new Map(timeline.map((r) => [num(r.bucket), r]));
  const count = Number((windowNanos + bucketNanos - 1n) / bucketNanos) || 1;
  return {
    tenantId: scope.tenantId,
    window: scope.window,
    bucketMillis: Number(bucketNanos / 1_000_000n),
    routes: routes.map((r) => ({
      route: String(r.route),
      service: strOrNull(r.service),
      count: num(r.n),
      errors: num(r.errors),
      p50Ms: num(r.p50),
      p95Ms: num(r.p95),
      p99Ms: num(r.p99),
      budgetMs: r.budget === null || r.budget === undefined ? null : num(r.budget),
      violations: num(r.violations),
    })),
    timeline: Array.from({ length: count }, (_, i) => {
      const r = byBucket.get(i);
      return {
        start: isoFromNanos(scope.sinceNanos + BigInt(i) * bucketNanos),
        requests: num(r?.requests),
        errors: num(r?.errors),
        violations: num(r?.violations),
      };
    }),
  };
}
