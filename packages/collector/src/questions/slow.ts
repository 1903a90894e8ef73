import type { SlowResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { COMPONENT_SQL, isoFromNanos, num, strOrNull, type QueryScope } from './query-scope.js';

/** Entry spans of a request: the server span that carries the route template. */
const ROUTE_SPANS = `kind = 2 AND route IS NOT NULL`;

/** Within this factor of the others' p95, a route over budget for them is slow for everyone, not for this tenant. */
const PLATFORM_WIDE_RATIO = 1.5;

/**
 * `stitch slow --tenant <id>`: the tenant's routes ranked by its excess over the other tenants
 * on the same route, and its slowest traces with the child span that dominated each.
 *
 * Ranking by raw p95 put the culprit 3rd in issue 11: a burst that hits every tenant outranks
 * the route where this tenant alone is 40× slower. The key is `excessMs`: the share of the
 * tenant's time on the route that is beyond the others' p95, `(1 - othersP95 / p95) × total`,
 * so a route ranks by how much of this tenant's time its excess costs. A route slow for
 * everyone is marked `platformWide` and has little excess, so it sorts below.
 *
 * The other-tenant comparison is an aggregate over other tenants' data, so it is given only to
 * platform-wide tokens (`includeOthers`); a tenant-bound token gets null there.
 */
export async function askSlow(store: Store, tenantId: string, scope: QueryScope, includeOthers: boolean): Promise<SlowResponse> {
  const params = { tenant: tenantId, since: scope.sinceNanos, until: scope.untilNanos };
  const window = `start_ns >= $since AND start_ns < $until`;
  const routesSql = `
    WITH mine AS (
      SELECT route, any_value(service) AS service, count(*) AS n,
        quantile_cont(duration_ms, 0.5) AS p50, quantile_cont(duration_ms, 0.95) AS p95,
        quantile_cont(duration_ms, 0.99) AS p99, max(budget_ms) AS budget, sum(duration_ms) AS total_ms,
        count(*) FILTER (WHERE perf_violation) AS violations
      FROM spans WHERE tenant_id = $tenant AND ${ROUTE_SPANS} AND ${window}
      GROUP BY route
    )${
      includeOthers
        ? `, others AS (
      SELECT route, quantile_cont(duration_ms, 0.95) AS p95
      FROM spans WHERE tenant_id IS DISTINCT FROM $tenant AND ${ROUTE_SPANS} AND ${window}
        AND route IN (SELECT route FROM mine)
      GROUP BY route
    )
    SELECT mine.*, others.p95 AS others_p95,
      CASE WHEN others.p95 IS NULL OR mine.p95 <= 0 THEN NULL
           ELSE greatest(0, 1 - others.p95 / mine.p95) * mine.total_ms END AS excess_ms
    FROM mine LEFT JOIN others USING (route)`
        : ` SELECT mine.*, NULL AS others_p95, NULL AS excess_ms FROM mine`
    }
    ORDER BY excess_ms DESC NULLS LAST, p95 DESC LIMIT 50`;
  const slowestSql = `
    SELECT trace_id, span_id, route, name, start_ns, duration_ms FROM spans
    WHERE tenant_id = $tenant AND ${ROUTE_SPANS} AND ${window}
    ORDER BY duration_ms DESC LIMIT 10`;
  const [routes, slowest] = await Promise.all([store.query(routesSql, params), store.query(slowestSql, params)]);

  const dominant = new Map<string, { name: string; component: string; durationMs: number }>();
  if (slowest.length > 0) {
    const ids = slowest.map((r, i) => [`t${i}`, String(r.trace_id)] as const);
    const children = await store.query(
      `SELECT trace_id, arg_max(name, duration_ms) AS name, arg_max(${COMPONENT_SQL}, duration_ms) AS component,
          max(duration_ms) AS duration_ms
       FROM spans
       WHERE tenant_id = $tenant AND trace_id IN (${ids.map(([k]) => `$${k}`).join(', ')})
         AND parent_span_id IS NOT NULL AND NOT (${ROUTE_SPANS})
       GROUP BY trace_id`,
      { tenant: tenantId, ...Object.fromEntries(ids) },
    );
    for (const c of children) {
      dominant.set(String(c.trace_id), { name: String(c.name ?? ''), component: String(c.component ?? 'internal'), durationMs: num(c.duration_ms) });
    }
  }

  return {
    tenantId,
    window: scope.window,
    routes: routes.map((r) => {
      const othersP95 = r.others_p95 === null || r.others_p95 === undefined ? null : num(r.others_p95);
      const budgetMs = r.budget === null ? null : num(r.budget);
      const ratio = othersP95 === null || othersP95 <= 0 ? null : num(r.p95) / othersP95;
      return {
        route: String(r.route),
        service: strOrNull(r.service),
        count: num(r.n),
        p50Ms: num(r.p50),
        p95Ms: num(r.p95),
        p99Ms: num(r.p99),
        budgetMs,
        otherTenantsP95Ms: othersP95,
        otherTenantsRatio: ratio,
        excessMs: r.excess_ms === null || r.excess_ms === undefined ? null : num(r.excess_ms),
        platformWide: othersP95 !== null && budgetMs !== null && othersP95 > budgetMs && ratio !== null && ratio < PLATFORM_WIDE_RATIO,
        violations: num(r.violations),
      };
    }),
    slowestTraces: slowest.map((r) => ({
      traceId: String(r.trace_id),
      route: strOrNull(r.route),
      name: String(r.name ?? ''),
      startTime: isoFromNanos(r.start_ns as string),
      durationMs: num(r.duration_ms),
      dominantChild: dominant.get(String(r.trace_id)) ?? null,
    })),
  };
}
