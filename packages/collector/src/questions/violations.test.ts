import { PERF_VIOLATION_EVENT, SpanAttr, ViolationsResponseSchema, type ViolationsResponse } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest, type SpanSpec } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

// Spans over budget as the kernel's budgets processor marks them: `stitch.perf_violation`,
// `stitch.budget_ms`, `stitch.component`, and the `stitch.perf_violation` span event.
const TENANTS = Array.from({ length: 17 }, (_, i) => `aaaaaaaa-0000-4000-8000-${String(i).padStart(12, '0')}`);
const SLOW_TENANT = TENANTS[0]!;
let c: TestCollector;
let t0: number;

function overBudget(tenantId: string, route: string, atMillis: number, durationMillis: number, child?: { name: string; component: string; budgetMillis: number; durationMillis: number; queryName?: string }): SpanSpec[] {
  const traceId = newTraceId();
  const root = newSpanId();
  const entry = { [SpanAttr.tenantId]: tenantId, [SpanAttr.entryKind]: 'http', [SpanAttr.entryRoute]: route };
  const violated = durationMillis > 500;
  const spans: SpanSpec[] = [
    {
      traceId,
      spanId: root,
      name: `GET ${route}`,
      kind: 2,
      startMillis: atMillis,
      durationMillis,
      attributes: { ...entry, [SpanAttr.routeId]: route, [SpanAttr.component]: 'route', [SpanAttr.budgetMillis]: 500, ...(violated && { [SpanAttr.perfViolation]: true }) },
      ...(violated && { events: [{ name: PERF_VIOLATION_EVENT, timeMillis: atMillis + durationMillis, attributes: { component: 'route' } }] }),
    },
  ];
  if (child) {
    spans.push({
      traceId,
      parentSpanId: root,
      name: child.name,
      kind: 3,
      startMillis: atMillis + 1,
      durationMillis: child.durationMillis,
      attributes: {
        ...entry,
        [SpanAttr.component]: child.component,
        [SpanAttr.budgetMillis]: child.budgetMillis,
        [SpanAttr.perfViolation]: true,
        ...(child.queryName !== undefined && { [SpanAttr.queryName]: child.queryName }),
      },
    });
  }
  return spans;
}

beforeAll(async () => {
  c = await startTestCollector();
  t0 = Date.now() - 600_000;
  const spans: SpanSpec[] = [
    // The burst: /reports/export over budget twice for each of 17 tenants (34 violations).
    ...TENANTS.flatMap((tenant, i) => [0, 1].flatMap((k) => overBudget(tenant, '/reports/export', t0 + 60_000 + i * 100 + k * 10, 900 + i))),
    // One tenant's slow route, more violations than any one tenant has on the burst, fewer in all.
    ...[0, 1, 2, 3, 4].flatMap((k) => overBudget(SLOW_TENANT, '/orders/:id', t0 + 120_000 + k * 100, 700, { name: 'SELECT orders', component: 'query', budgetMillis: 200, durationMillis: 650, queryName: 'orders.by_id' })),
    // An external call over its budget under a route that is not.
    ...overBudget(TENANTS[1]!, '/checkout', t0 + 130_000, 300, { name: 'HTTP POST', component: 'external', budgetMillis: 250, durationMillis: 280 }),
    // Long before the window asked below.
    ...overBudget(SLOW_TENANT, '/legacy', t0, 2000),
    // The kernel's bookkeeping over budget: left out unless asked.
    { traceId: newTraceId(), name: 'SELECT outbox lag', kind: 3, startMillis: t0 + 140_000, durationMillis: 400, attributes: { [SpanAttr.component]: 'query', [SpanAttr.budgetMillis]: 200, [SpanAttr.perfViolation]: true, [SpanAttr.housekeeping]: true } },
  ];
  const res = await postOtlpJson(c.url, 'traces', tracesRequest('shop', spans));
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await c.stop();
});

async function ask(query: string, token = c.token('traces:read')): Promise<ViolationsResponse> {
  const res = await c.get(`/api/violations${query}`, token);
  expect(res.status).toBe(200);
  return ViolationsResponseSchema.parse(await res.json());
}

describe('stitch violations', () => {
  it('sums a route over every tenant, the tenants and their counts in the row, and ranks it by that sum', async () => {
    const { groups } = await ask('?since=1h');
    expect(groups.map((g) => [g.component, g.name, g.count])).toEqual([
      ['route', '/reports/export', 34],
      ['query', 'orders.by_id', 5],
      ['route', '/orders/:id', 5],
      ['route', '/legacy', 1],
      ['external', 'HTTP POST', 1],
    ]);
    const burst = groups[0]!;
    expect(burst).toMatchObject({ route: '/reports/export', traceCount: 34, budgetMs: 500, tenantCount: 17 });
    expect(burst.tenants).toHaveLength(17);
    expect(burst.tenants.every((t) => t.count === 2)).toBe(true);
    expect(new Set(burst.tenants.map((t) => t.tenantId))).toEqual(new Set(TENANTS));
    expect(burst.p95Ms).toBeGreaterThan(900);
    // A query is named by its query name and placed under the route it ran in.
    expect(groups[1]).toMatchObject({ route: '/orders/:id', budgetMs: 200, tenants: [{ tenantId: SLOW_TENANT, count: 5 }] });
    expect(groups[4]).toMatchObject({ route: '/checkout', budgetMs: 250 });
  });

  it('answers the same for a window, leaving out what happened before it', async () => {
    const { groups } = await ask(`?since=${new Date(t0 + 30_000).toISOString()}&until=${new Date(t0 + 125_000).toISOString()}`);
    expect(groups.map((g) => [g.name, g.count])).toEqual([
      ['/reports/export', 34],
      ['orders.by_id', 5],
      ['/orders/:id', 5],
    ]);
  });

  it('leaves the kernel’s bookkeeping out unless housekeeping=1 is asked', async () => {
    expect((await ask('?since=1h')).groups.map((g) => g.name)).not.toContain('SELECT outbox lag');
    expect((await ask('?since=1h&housekeeping=1')).groups.map((g) => g.name)).toContain('SELECT outbox lag');
  });

  it('shows a tenant-bound token its own violations only, counted for it alone', async () => {
    const { groups } = await ask('?since=1h', c.token('traces:read', SLOW_TENANT));
    expect(groups.map((g) => [g.name, g.count, g.tenants])).toEqual([
      ['orders.by_id', 5, [{ tenantId: SLOW_TENANT, count: 5 }]],
      ['/orders/:id', 5, [{ tenantId: SLOW_TENANT, count: 5 }]],
      ['/reports/export', 2, [{ tenantId: SLOW_TENANT, count: 2 }]],
      ['/legacy', 1, [{ tenantId: SLOW_TENANT, count: 1 }]],
    ]);
  });

  it('refuses a bad limit and an unreadable window clearly, and prints the culprit first', async () => {
    const token = c.token('traces:read');
    expect((await c.get('/api/violations?limit=0', token)).status).toBe(400);
    const badTime = await c.get('/api/violations?since=yesterday-ish', token);
    expect(badTime.status).toBe(400);
    expect(await badTime.text()).toContain('yesterday-ish');
    let out = '';
    const code = await runCli(['violations', '--since', '1h', '--url', c.url, '--token', token], { stdout: (t) => (out += t), stderr: () => undefined, env: {} });
    expect(code).toBe(0);
    const [header, first] = out.split('\n');
    expect(header).toMatch(/^COMPONENT\s+NAME\s+COUNT\s+P95 MS\s+BUDGET MS\s+TENANTS/);
    expect(first).toMatch(/^route\s+\/reports\/export\s+34\s+\d+(\.\d)?\s+500\s+17 tenants: /);
  });
});
