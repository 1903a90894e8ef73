import { SlowResponseSchema, SpanAttr } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTraceId, postOtlpJson, tracesRequest, type SpanSpec } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const X = '77777777-7777-4777-8777-777777777777';
const OTHERS = ['88888888-8888-4888-8888-888888888888', '99999999-9999-4999-8999-999999999999'];
let c: TestCollector;

/** Server spans as the kernel's edge makes them: route template, budget, tenant. */
function requests(tenantId: string, route: string, durationMillis: number, n: number, t: number): SpanSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    traceId: newTraceId(),
    name: `GET ${route}`,
    kind: 2,
    startMillis: t + i,
    durationMillis,
    attributes: { [SpanAttr.tenantId]: tenantId, [SpanAttr.routeId]: route, [SpanAttr.budgetMillis]: 500 },
  }));
}

beforeAll(async () => {
  c = await startTestCollector();
  const t = Date.now() - 60_000;
  const spans: SpanSpec[] = [
    // A burst that hits every tenant: X's raw p95 is highest here.
    ...requests(X, '/reports', 2000, 10, t),
    ...OTHERS.flatMap((o) => requests(o, '/reports', 1900, 10, t)),
    // The culprit: X alone is 40× slower than the others.
    ...requests(X, '/orders/:id', 800, 10, t + 1000),
    ...OTHERS.flatMap((o) => requests(o, '/orders/:id', 20, 10, t + 1000)),
    // Healthy for everyone.
    ...requests(X, '/health', 5, 10, t + 2000),
    ...OTHERS.flatMap((o) => requests(o, '/health', 5, 10, t + 2000)),
  ];
  const res = await postOtlpJson(c.url, 'traces', tracesRequest('shop', spans));
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await c.stop();
});

describe('slow --tenant', () => {
  it('ranks first the route where the tenant is slow compared with the others, and marks the platform-wide one', async () => {
    const res = await c.get(`/api/slow?tenant=${X}`, c.token('admin'));
    expect(res.status).toBe(200);
    const { routes } = SlowResponseSchema.parse(await res.json());
    expect(routes.map((r) => r.route)).toEqual(['/orders/:id', '/reports', '/health']);
    expect(routes[0]).toMatchObject({ p95Ms: 800, otherTenantsP95Ms: 20, otherTenantsRatio: 40, platformWide: false });
    expect(routes[0]!.excessMs).toBeCloseTo(7800);
    expect(routes[1]).toMatchObject({ p95Ms: 2000, otherTenantsP95Ms: 1900, platformWide: true });
    expect(routes[2]).toMatchObject({ excessMs: 0, platformWide: false });
  });
});
