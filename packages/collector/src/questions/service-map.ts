import type { ServiceMapResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { tableFor } from './engine-sql.js';
import { num, tenantClause, type QueryScope } from './query-scope.js';

/**
 * The service map: services seen in the window, and an edge wherever a server or consumer span
 * (the receiving side of a call, in OpenTelemetry's span kinds) has its parent in another
 * service. Probing only those spans keeps the self-join interactive at a million spans. Both
 * sides of the join carry the tenant predicate, so a tenant-bound token sees only edges inside
 * its own traces.
 */
export async function askServiceMap(store: Store, scope: QueryScope): Promise<ServiceMapResponse> {
  const child = tenantClause(scope.tenantId, 'c.tenant_id');
  const parent = tenantClause(scope.tenantId, 'p.tenant_id');
  const t = tenantClause(scope.tenantId);
  const params = { since: scope.sinceNanos, until: scope.untilNanos, ...t.params };
  const spans = tableFor(store, 'spans');
  const p95 = store.dialect === 'duckdb' ? 'quantile_cont(c.duration_ms, 0.95)' : 'quantileExactInclusive(0.95)(c.duration_ms)';
  const [nodes, edges] = await Promise.all([
    store.query(
      `SELECT service, count(*) AS n, count(*) FILTER (WHERE status_code = 2) AS errors
       FROM ${spans} WHERE service IS NOT NULL AND start_ns >= $since AND start_ns < $until${t.sql}
       GROUP BY service ORDER BY n DESC LIMIT 200`,
      params,
    ),
    store.query(
      `SELECT p.service AS from_service, c.service AS to_service, count(*) AS n,
          count(*) FILTER (WHERE c.status_code = 2) AS errors, ${p95} AS p95
       FROM ${spans} c JOIN ${spans} p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
       WHERE c.start_ns >= $since AND c.start_ns < $until${child.sql}
         AND p.start_ns >= $since - 3600000000000 AND p.start_ns < $until${parent.sql}
         AND c.kind IN (2, 5) AND c.service IS NOT NULL AND p.service IS NOT NULL AND c.service <> p.service
       GROUP BY from_service, to_service ORDER BY n DESC LIMIT 500`,
      params,
    ),
  ]);
  return {
    window: scope.window,
    nodes: nodes.map((r) => ({ service: String(r.service), spans: num(r.n), errors: num(r.errors) })),
    edges: edges.map((r) => ({
      from: String(r.from_service),
      to: String(r.to_service),
      calls: num(r.n),
      errors: num(r.errors),
      p95Ms: num(r.p95),
    })),
  };
}
