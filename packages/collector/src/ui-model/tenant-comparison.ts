import type { OverviewRoute, SlowResponse } from '@stitch/contract';

type SlowRoute = SlowResponse['routes'][number];
type SlowStep = NonNullable<SlowRoute['step']>;

/** A row of the tenant overview's route table: the overview's figures beside `slow`'s comparison. */
export interface ComparedRoute {
  route: string;
  service: string | null;
  count: number;
  /** Null when only `slow` listed the route (the overview keeps its 100 slowest). */
  errors: number | null;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  budgetMs: number | null;
  violations: number;
  otherTenantsP95Ms: number | null;
  otherTenantsRatio: number | null;
  excessMs: number | null;
  platformWide: boolean;
  /** Inside the route, the step (query, external call, `withSpan` step) that accounts for the excess; null when `slow` did not look. */
  step: SlowStep | null;
  /** The tenant's slowest traces on the route (from `slow`, at most 3). */
  exampleTraceIds: string[];
  /** The row to look at first: the top of `slow`'s ranking, when this tenant alone is slow there. */
  culprit: boolean;
}

/**
 * The overview's routes in `stitch slow`'s order (the tenant's excess over the other tenants,
 * so the culprit is first and platform-wide slowness below it), then the routes `slow` did not
 * rank, by p95. Without a comparison (all tenants, or `slow` not answered) the overview's own
 * order stays.
 *
 * @example compareRoutes(overview.routes, slow.routes)[0].culprit // true: the route to open
 */
export function compareRoutes(overview: readonly OverviewRoute[], slow: readonly SlowRoute[] | null): ComparedRoute[] {
  const none = { otherTenantsP95Ms: null, otherTenantsRatio: null, excessMs: null, platformWide: false, step: null, exampleTraceIds: [], culprit: false };
  if (slow === null) return overview.map((r) => ({ ...r, ...none }));
  const byRoute = new Map(overview.map((r) => [r.route, r]));
  const ranked: ComparedRoute[] = slow.map((s, i) => ({
    route: s.route,
    service: s.service,
    count: s.count,
    errors: byRoute.get(s.route)?.errors ?? null,
    p50Ms: s.p50Ms,
    p95Ms: s.p95Ms,
    p99Ms: s.p99Ms,
    budgetMs: s.budgetMs,
    violations: s.violations,
    otherTenantsP95Ms: s.otherTenantsP95Ms,
    otherTenantsRatio: s.otherTenantsRatio,
    excessMs: s.excessMs,
    platformWide: s.platformWide,
    step: s.step ?? null,
    exampleTraceIds: s.exampleTraceIds ?? [],
    culprit: i === 0 && !s.platformWide && (s.excessMs ?? 0) > 0,
  }));
  const rankedRoutes = new Set(slow.map((s) => s.route));
  return [...ranked, ...overview.filter((r) => !rankedRoutes.has(r.route)).map((r) => ({ ...r, ...none }))];
}

/** `40×`, `1.3×`; `–` without a comparison. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '–';
  return ratio >= 10 ? `${Math.round(ratio)}×` : `${(Math.round(ratio * 10) / 10).toString()}×`;
}
