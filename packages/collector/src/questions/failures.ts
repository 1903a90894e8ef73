import type { ErrorsResponse, ViolationsResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { COMPONENT_SQL, isoFromNanos, num, sqlLimit, strList, strOrNull, tenantClause, type QueryScope } from './query-scope.js';

/**
 * The route a failing span belongs to is its trace's entry route, which child spans (a query, a
 * webhook call) do not carry themselves: ingest stores it as `entry_route` (see
 * normalize-traces.ts), so no join over the whole table is needed here.
 */
const WITH_ROUTE = (predicate: string, tenantSql: string): string => `
  SELECT trace_id, tenant_id, service, name, start_ns, duration_ms, budget_ms, status_message,
    ${COMPONENT_SQL} AS comp, coalesce(route, entry_route) AS the_route
  FROM spans WHERE ${predicate} AND start_ns >= $since AND start_ns < $until${tenantSql}`;

/** `stitch errors`: spans with error status, grouped by tenant, route and component. */
export async function askErrors(store: Store, scope: QueryScope, limit: number): Promise<ErrorsResponse> {
  const t = tenantClause(scope.tenantId);
  const rows = await store.query(
    `SELECT tenant_id, the_route, comp, any_value(service) AS service, count(*) AS n, count(DISTINCT trace_id) AS traces,
        max(start_ns) AS last_ns, arg_max(status_message, start_ns) AS last_message, max_by(trace_id, start_ns, 3) AS examples
     FROM (${WITH_ROUTE('status_code = 2', t.sql)})
     GROUP BY tenant_id, the_route, comp ORDER BY n DESC LIMIT ${sqlLimit(limit, 500)}`,
    { since: scope.sinceNanos, until: scope.untilNanos, ...t.params },
  );
  return {
    window: scope.window,
    groups: rows.map((r) => ({
      tenantId: strOrNull(r.tenant_id),
      route: strOrNull(r.the_route),
      component: strOrNull(r.comp),
      service: strOrNull(r.service),
      count: num(r.n),
      traceCount: num(r.traces),
      lastSeen: isoFromNanos(r.last_ns as string),
      lastMessage: strOrNull(r.last_message),
      exampleTraceIds: [...new Set(strList(r.examples))],
    })),
  };
}

/** `stitch violations`: spans over their budget, grouped by tenant, route, component and name. */
export async function askViolations(store: Store, scope: QueryScope, limit: number): Promise<ViolationsResponse> {
  const t = tenantClause(scope.tenantId);
  const rows = await store.query(
    `SELECT tenant_id, the_route, comp, name, count(*) AS n, quantile_cont(duration_ms, 0.95) AS p95,
        max(budget_ms) AS budget, max(start_ns) AS last_ns, max_by(trace_id, duration_ms, 3) AS examples
     FROM (${WITH_ROUTE('perf_violation', t.sql)})
     GROUP BY tenant_id, the_route, comp, name ORDER BY n DESC LIMIT ${sqlLimit(limit, 500)}`,
    { since: scope.sinceNanos, until: scope.untilNanos, ...t.params },
  );
  return {
    window: scope.window,
    groups: rows.map((r) => ({
      tenantId: strOrNull(r.tenant_id),
      route: strOrNull(r.the_route),
      component: strOrNull(r.comp),
      name: String(r.name ?? ''),
      count: num(r.n),
      p95Ms: num(r.p95),
      budgetMs: r.budget === null ? null : num(r.budget),
      lastSeen: isoFromNanos(r.last_ns as string),
      exampleTraceIds: [...new Set(strList(r.examples))],
    })),
  };
}
