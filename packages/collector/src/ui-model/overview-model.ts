import type { OverviewBucket, OverviewRoute } from '@stitch/contract';

export type BudgetStatus = 'over' | 'near' | 'ok' | 'none';

/**
 * How a route's p95 stands against its budget: `over` past it, `near` within 80–100 %, `ok`
 * below, `none` when its spans carried no budget.
 */
export function budgetStatus(route: Pick<OverviewRoute, 'p95Ms' | 'budgetMs'>): BudgetStatus {
  if (route.budgetMs === null || route.budgetMs <= 0) return 'none';
  if (route.p95Ms > route.budgetMs) return 'over';
  if (route.p95Ms >= route.budgetMs * 0.8) return 'near';
  return 'ok';
}

/** A bar of the timeline chart, heights in percent of the busiest bucket. */
export interface TimelineBar {
  start: string;
  requests: number;
  violations: number;
  errors: number;
  requestsPct: number;
  violationsPct: number;
}

/** Scales the overview's buckets for a bar chart; an idle window gives zero-height bars. */
export function timelineBars(timeline: readonly OverviewBucket[]): { bars: TimelineBar[]; maxRequests: number; maxViolations: number; totalViolations: number } {
  const maxRequests = Math.max(0, ...timeline.map((b) => b.requests));
  const maxViolations = Math.max(0, ...timeline.map((b) => b.violations));
  const pct = (v: number, max: number): number => (max > 0 ? (v * 100) / max : 0);
  return {
    maxRequests,
    maxViolations,
    totalViolations: timeline.reduce((n, b) => n + b.violations, 0),
    bars: timeline.map((b) => ({ ...b, requestsPct: pct(b.requests, maxRequests), violationsPct: pct(b.violations, maxViolations) })),
  };
}

/** The scale for the percentile bars of the route table: the largest p99 or budget shown. */
export function percentileScaleMs(routes: readonly OverviewRoute[]): number {
  return Math.max(1, ...routes.map((r) => Math.max(r.p99Ms, r.budgetMs ?? 0)));
}
