import type { OverviewRoute, SlowResponse } from '@stitch/contract';
import { describe, expect, it } from 'vitest';
import { compareRoutes, formatRatio } from './tenant-comparison.js';

const overviewRoute = (route: string, p95Ms: number, errors = 0): OverviewRoute => ({
  route,
  service: 'api',
  count: 10,
  errors,
  p50Ms: p95Ms / 2,
  p95Ms,
  p99Ms: p95Ms * 1.2,
  budgetMs: 500,
  violations: 0,
});
const slowRoute = (route: string, p95Ms: number, others: number, excessMs: number, platformWide = false): SlowResponse['routes'][number] => ({
  ...overviewRoute(route, p95Ms),
  otherTenantsP95Ms: others,
  otherTenantsRatio: p95Ms / others,
  excessMs,
  platformWide,
});

describe('compareRoutes', () => {
  // The issue-11 shape: a burst slow for everyone has the highest p95, the culprit is 40× the others.
  const overview = [overviewRoute('GET /burst', 2400), overviewRoute('GET /reports', 800, 3), overviewRoute('GET /health', 2)];
  const step = { name: 'reports.by_month', component: 'query', tenantMs: 3900, excessMs: 3850 };
  const slow = [{ ...slowRoute('GET /reports', 800, 20, 7800), step, exampleTraceIds: ['t1'] }, slowRoute('GET /burst', 2400, 2300, 100, true)];

  it("puts the tenant's culprit first, as slow ranks it, above the platform-wide burst", () => {
    const rows = compareRoutes(overview, slow);
    expect(rows.map((r) => [r.route, r.culprit, r.platformWide])).toEqual([
      ['GET /reports', true, false],
      ['GET /burst', false, true],
      ['GET /health', false, false],
    ]);
    expect(rows[0]).toMatchObject({ errors: 3, otherTenantsP95Ms: 20, otherTenantsRatio: 40, excessMs: 7800, step, exampleTraceIds: ['t1'] });
    expect(rows[1]).toMatchObject({ step: null, exampleTraceIds: [] }); // an older collector's answer has neither
    expect(rows[2]).toMatchObject({ otherTenantsP95Ms: null, excessMs: null });
  });

  it('marks no culprit when the top route is slow for everyone, or has no excess', () => {
    expect(compareRoutes(overview, [slowRoute('GET /burst', 2400, 2300, 100, true)])[0]!.culprit).toBe(false);
    expect(compareRoutes(overview, [{ ...slowRoute('GET /reports', 800, 20, 0), otherTenantsP95Ms: null, excessMs: null }])[0]!.culprit).toBe(false);
  });

  it('keeps the overview order without a comparison (all tenants)', () => {
    expect(compareRoutes(overview, null).map((r) => r.route)).toEqual(['GET /burst', 'GET /reports', 'GET /health']);
  });
});

describe('formatRatio', () => {
  it.each([
    [40.2, '40×'],
    [1.26, '1.3×'],
    [null, '–'],
  ])('%s reads as %s', (ratio, text) => {
    expect(formatRatio(ratio)).toBe(text);
  });
});
