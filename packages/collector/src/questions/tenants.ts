import type { TenantsResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { DISTINCT_TRACES_SQL, sqlFor, tableFor } from './engine-sql.js';
import { isoFromNanos, num, sqlLimit, tenantClause, type QueryScope } from './query-scope.js';

/** The tenants seen in the window with their activity, busiest first; confined like every question. */
export async function askTenants(store: Store, scope: QueryScope, limit: number): Promise<TenantsResponse> {
  const t = tenantClause(scope.tenantId);
  const rows = await store.query(
    `SELECT tenant_id, count(*) AS n, ${sqlFor(store, DISTINCT_TRACES_SQL)} AS traces,
        count(*) FILTER (WHERE status_code = 2) AS errors, count(*) FILTER (WHERE perf_violation) AS violations,
        max(start_ns) AS last_ns
     FROM ${tableFor(store, 'spans')} WHERE tenant_id IS NOT NULL AND start_ns >= $since AND start_ns < $until${t.sql}
     GROUP BY tenant_id ORDER BY n DESC LIMIT ${sqlLimit(limit, 1000)}`,
    { since: scope.sinceNanos, until: scope.untilNanos, ...t.params },
    // Grouped by tenant: in tenant order, each tenant's distinct traces are counted in turn
    // (ClickHouse at 10M spans, platform-wide: 0.63 s in time order, 0.36 s by tenant).
    { byTenant: true },
  );
  return {
    window: scope.window,
    tenants: rows.map((r) => ({
      tenantId: String(r.tenant_id),
      spans: num(r.n),
      traces: num(r.traces),
      errors: num(r.errors),
      violations: num(r.violations),
      lastSeen: isoFromNanos(r.last_ns as string),
    })),
  };
}
