import type { ViolationsResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { DISTINCT_TRACES_SQL, sqlFor, topValuesByKeySql, type EngineSql } from './engine-sql.js';
import { housekeepingClause } from './attribute-sql.js';
import { COMPONENT_SQL, isoFromNanos, num, sqlLimit, strList, strOrNull, tenantClause, type QueryScope } from './query-scope.js';

export interface ViolationsOptions {
  limit: number;
  /** Keep the kernel's bookkeeping spans (an outbox-lag query over its budget); left out by default. */
  includeHousekeeping?: boolean;
}

/**
 * What blew the budget, by its budget kind: the route template for a route, the query's name for
 * a query (the span name when unnamed), the job's name, else the span name (an external call's
 * `HTTP POST`, a webhook's `webhook.deliver`).
 */
const SUBJECT_SQL = `CASE comp
  WHEN 'route' THEN coalesce(route, entry_route, name)
  WHEN 'query' THEN coalesce(query_name, name)
  WHEN 'job' THEN coalesce(job_name, name)
  ELSE name END`;

/**
 * `stitch violations`: "Which route blew its budget?" Spans over their budget
 * (`stitch.perf_violation`), one row per route, query, job or external call summed over every
 * tenant, with the tenants and their counts inside the row. Grouping by tenant × route made a
 * burst on one route over 17 tenants 17 small rows, ranked 4th (issue 11); summed, it is first.
 * Each row names the request route it happened under most (ingest's `entry_route`, which late
 * spans carry themselves as `stitch.entry.route`); work no request started (a cron job) has none.
 */
export async function askViolations(store: Store, scope: QueryScope, options: ViolationsOptions): Promise<ViolationsResponse> {
  const t = tenantClause(scope.tenantId);
  // MATERIALIZED: `v` feeds both the totals and the per-tenant counts, and inlined it was two
  // scans of the spans table (~2 s against ~0.5 s on the 1M-span bench store at load 15).
  const limit = sqlLimit(options.limit, 500);
  const sql: EngineSql = {
    duckdb: `WITH v AS MATERIALIZED (
       SELECT *, ${SUBJECT_SQL} AS subject FROM (
         SELECT trace_id, tenant_id, service, name, start_ns, duration_ms, budget_ms, route, entry_route, query_name, job_name,
             ${COMPONENT_SQL} AS comp,
             CASE WHEN entry_kind IS NULL OR entry_kind = 'http' THEN coalesce(entry_route, route) END AS entry
         FROM spans
         WHERE perf_violation AND start_ns >= $since AND start_ns < $until${t.sql}${housekeepingClause(options.includeHousekeeping ?? false)})),
     per_tenant AS (
       SELECT comp, subject, tenant_id, count(*) AS n FROM v GROUP BY ALL)
     SELECT g.comp, g.subject, g.route, g.service, g.n, g.trace_count, g.p95, g.budget, g.first_ns, g.last_ns, g.examples,
         pt.tenants, pt.tenant_count
     FROM (
       SELECT comp, subject, mode(entry) AS route, mode(service) AS service, count(*) AS n, count(DISTINCT trace_id) AS trace_count,
           quantile_cont(duration_ms, 0.95) AS p95, max(budget_ms) AS budget, min(start_ns) AS first_ns, max(start_ns) AS last_ns,
           max_by(trace_id, duration_ms, 10) AS examples
       FROM v GROUP BY comp, subject) g
     JOIN (
       SELECT comp, subject, list({'tenant': tenant_id, 'count': n} ORDER BY n DESC, tenant_id)[1:20] AS tenants, count(*) AS tenant_count
       FROM per_tenant GROUP BY comp, subject) pt
       ON g.comp IS NOT DISTINCT FROM pt.comp AND g.subject IS NOT DISTINCT FROM pt.subject
     ORDER BY g.n DESC, g.p95 / coalesce(nullif(g.budget, 0), 1) DESC, g.subject LIMIT ${limit}`,
    // mode() is the most frequent non-NULL value: topK(1), NULL when there is none.
    clickhouse: `WITH v AS (
       SELECT *, ${SUBJECT_SQL} AS subject FROM (
         SELECT trace_id, tenant_id, service, name, start_ns, duration_ms, budget_ms, route, entry_route, query_name, job_name,
             ${COMPONENT_SQL} AS comp,
             CASE WHEN entry_kind IS NULL OR entry_kind = 'http' THEN coalesce(entry_route, route) END AS entry
         FROM stitch_spans
         WHERE perf_violation AND start_ns >= $since AND start_ns < $until${t.sql}${housekeepingClause(options.includeHousekeeping ?? false, 'housekeeping', 'clickhouse')})),
     per_tenant AS (
       SELECT comp, subject, tenant_id, count(*) AS n FROM v GROUP BY comp, subject, tenant_id)
     SELECT g.comp AS comp, g.subject AS subject, g.route AS route, g.service AS service, g.n AS n, g.trace_count AS trace_count,
         g.p95 AS p95, g.budget AS budget, g.first_ns AS first_ns, g.last_ns AS last_ns, g.examples AS examples,
         pt.tenants AS tenants, pt.tenant_count AS tenant_count
     FROM (
       SELECT comp, subject, if(empty(topK(1)(entry)), NULL, topK(1)(entry)[1]) AS route,
           if(empty(topK(1)(service)), NULL, topK(1)(service)[1]) AS service, count(*) AS n, ${DISTINCT_TRACES_SQL.clickhouse} AS trace_count,
           quantileExactInclusive(0.95)(duration_ms) AS p95, max(budget_ms) AS budget, min(start_ns) AS first_ns, max(start_ns) AS last_ns,
           ${topValuesByKeySql('trace_id', 'duration_ms', 10)} AS examples
       FROM v GROUP BY comp, subject) g
     JOIN (
       SELECT comp, subject,
           arraySlice(arraySort(p -> (-p.count, p.tenant), groupArray(CAST((tenant_id, n), 'Tuple(tenant Nullable(String), count UInt64)'))), 1, 20) AS tenants,
           count(*) AS tenant_count
       FROM per_tenant GROUP BY comp, subject) pt
       ON g.comp IS NOT DISTINCT FROM pt.comp AND g.subject IS NOT DISTINCT FROM pt.subject
     ORDER BY g.n DESC, g.p95 / coalesce(nullIf(g.budget, 0), 1) DESC, g.subject LIMIT ${limit}`,
  };
  const rows = await store.query(sqlFor(store, sql), { since: scope.sinceNanos, until: scope.untilNanos, ...t.params });
  return {
    window: scope.window,
    groups: rows.map((r) => ({
      component: strOrNull(r.comp),
      name: String(r.subject ?? ''),
      route: strOrNull(r.route),
      service: strOrNull(r.service),
      count: num(r.n),
      traceCount: num(r.trace_count),
      p95Ms: num(r.p95),
      budgetMs: r.budget === null || r.budget === undefined ? null : num(r.budget),
      tenants: (Array.isArray(r.tenants) ? (r.tenants as Record<string, unknown>[]) : []).map((x) => ({ tenantId: strOrNull(x.tenant), count: num(x.count) })),
      tenantCount: num(r.tenant_count),
      firstSeen: isoFromNanos(r.first_ns as string),
      lastSeen: isoFromNanos(r.last_ns as string),
      exampleTraceIds: [...new Set(strList(r.examples))].slice(0, 3),
    })),
  };
}
