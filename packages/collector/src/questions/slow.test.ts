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

/** Job attempt spans as the kernel's worker makes them: `job <name>`, a consumer span with the job's name. */
function jobAttempts(tenantId: string, jobName: string, durationMillis: number, n: number, t: number): SpanSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    traceId: newTraceId(),
    name: `job ${jobName}`,
    kind: 5,
    startMillis: t + i,
    durationMillis,
    attributes: { [SpanAttr.tenantId]: tenantId, [SpanAttr.jobName]: jobName, [SpanAttr.component]: 'job' },
  }));
}

/** A consumer's runs as the kernel's event consumer makes them: `process_event`, consumer span, its consumer group. */
function consumerRuns(tenantId: string, consumer: string, durationMillis: number, n: number, t: number): SpanSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    traceId: newTraceId(),
    name: 'process_event',
    kind: 5,
    startMillis: t + i,
    durationMillis,
    attributes: { [SpanAttr.tenantId]: tenantId, [SpanAttr.consumerGroup]: consumer, [SpanAttr.eventType]: 'order.paid', [SpanAttr.eventId]: `evt-${tenantId}-${i}` },
  }));
}

let spanCounter = 0;
const nextSpanId = () => (++spanCounter).toString(16).padStart(16, '0');

/** Each request's direct children, as the kernel's db wrapper and withSpan make them. */
function withChildren(roots: SpanSpec[], children: { name: string; durationMillis: number; attributes?: SpanSpec['attributes'] }[]): SpanSpec[] {
  return roots.flatMap((root) => {
    const spanId = nextSpanId();
    return [
      { ...root, spanId },
      ...children.map((c) => ({ traceId: root.traceId, spanId: nextSpanId(), parentSpanId: spanId, name: c.name, kind: 1, startMillis: root.startMillis, durationMillis: c.durationMillis, ...(c.attributes && { attributes: { [SpanAttr.tenantId]: root.attributes?.[SpanAttr.tenantId] ?? '', ...c.attributes } }) })),
    ];
  });
}

const query = (name: string, durationMillis: number) => ({ name, durationMillis, attributes: { [SpanAttr.queryName]: name, [SpanAttr.component]: 'query' } });

beforeAll(async () => {
  c = await startTestCollector();
  const t = Date.now() - 60_000;
  const spans: SpanSpec[] = [
    // A burst that hits every tenant: X's raw p95 is highest here.
    ...requests(X, '/reports', 2000, 10, t),
    ...OTHERS.flatMap((o) => requests(o, '/reports', 1900, 10, t)),
    // The culprit: X alone is 40× slower than the others, all of it in one query; the auth step
    // takes as long for everyone and takes more of X's time than the others' query.
    ...withChildren(requests(X, '/orders/:id', 800, 10, t + 1000), [query('orders.by_id', 770), { name: 'auth.check', durationMillis: 15 }]),
    ...OTHERS.flatMap((o) => withChildren(requests(o, '/orders/:id', 20, 10, t + 1000), [query('orders.by_id', 4), { name: 'auth.check', durationMillis: 15 }])),
    // A job only X's runs are slow in (3 s more of X's time), and its enqueue spans, which are
    // part of their requests and must not count as the job.
    ...withChildren(jobAttempts(X, 'report.render', 300, 10, t + 3000), [{ name: 'pdf.layout', durationMillis: 280 }]),
    ...OTHERS.flatMap((o) => withChildren(jobAttempts(o, 'report.render', 30, 10, t + 3000), [{ name: 'pdf.layout', durationMillis: 10 }])),
    ...jobAttempts(X, 'report.render', 5000, 3, t + 3000).map((s) => ({ ...s, name: 'enqueue report.render', kind: 4 })),
    // An event consumer only X's deliveries are slow in (kernel-shaped process_event spans).
    ...withChildren(consumerRuns(X, 'ledger-sync', 250, 10, t + 4000), [{ name: 'ledger.post', durationMillis: 240 }]),
    ...OTHERS.flatMap((o) => withChildren(consumerRuns(o, 'ledger-sync', 12, 10, t + 4000), [{ name: 'ledger.post', durationMillis: 8 }])),
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
    expect(routes.map((r) => r.route)).toEqual(['/orders/:id', 'job report.render', 'consumer ledger-sync', '/reports', '/health']);
    expect(routes[0]).toMatchObject({ entryKind: 'http', p95Ms: 800, otherTenantsP95Ms: 20, otherTenantsRatio: 40, platformWide: false });
    expect(routes[0]!.excessMs).toBeCloseTo(7800);
    expect(routes[3]).toMatchObject({ p95Ms: 2000, otherTenantsP95Ms: 1900, platformWide: true });
    expect(routes[4]).toMatchObject({ excessMs: 0, platformWide: false });
  });

  it('names, inside the culprit route, the query that accounts for the excess, with the tenant’s slowest traces there', async () => {
    const res = await c.get(`/api/slow?tenant=${X}`, c.token('admin'));
    const { routes } = SlowResponseSchema.parse(await res.json());
    expect(routes[0]?.step).toMatchObject({ name: 'orders.by_id', component: 'query', tenantMs: 7700 });
    // 10 × 770 ms, less what the others' 4 ms per request would have cost: 7660 ms.
    expect(routes[0]?.step?.excessMs).toBeCloseTo(7660);
    expect(routes[0]?.exampleTraceIds).toHaveLength(3);
    // The consumer, third, with the step inside its runs.
    expect(routes[2]).toMatchObject({ route: 'consumer ledger-sync', entryKind: 'consumer', otherTenantsP95Ms: 12, step: { name: 'ledger.post', tenantMs: 2400 } });
  });

  it('gives a tenant-bound token the same ranking, platform-wide marks and steps, without any other tenant’s figures', async () => {
    const res = await c.get('/api/slow', c.token('traces:read', X));
    expect(res.status).toBe(200);
    const body = await res.text();
    const { routes } = SlowResponseSchema.parse(JSON.parse(body));
    // The tenant's own engineers see the route slow for them alone first, not the burst.
    expect(routes.map((r) => r.route)).toEqual(['/orders/:id', 'job report.render', 'consumer ledger-sync', '/reports', '/health']);
    expect(routes[3]).toMatchObject({ route: '/reports', platformWide: true });
    expect(routes[0]?.step).toMatchObject({ name: 'orders.by_id', tenantMs: 7700, excessMs: null });
    for (const r of routes) expect([r.otherTenantsP95Ms, r.otherTenantsRatio, r.excessMs, r.step?.excessMs ?? null]).toEqual([null, null, null, null]);
    for (const other of OTHERS) expect(body).not.toContain(other);
  });

  it('ranks a job the tenant alone is slow in among the routes, by its attempts only, with the step inside it', async () => {
    const res = await c.get(`/api/slow?tenant=${X}`, c.token('admin'));
    const { routes } = SlowResponseSchema.parse(await res.json());
    const job = routes.find((r) => r.route === 'job report.render');
    // Ten attempts (the three enqueue spans are part of their requests, not the job).
    expect(job).toMatchObject({ entryKind: 'job', count: 10, p95Ms: 300, otherTenantsP95Ms: 30, otherTenantsRatio: 10 });
    expect(job?.excessMs).toBeCloseTo(2700);
    // 10 × 280 ms of layout, less the others' 10 ms per attempt.
    expect(job?.step).toMatchObject({ name: 'pdf.layout', tenantMs: 2800 });
    expect(job?.step?.excessMs).toBeCloseTo(2700);
  });
});

describe('slow --tenant, the step scan', () => {
  it('compares the latest 500 requests a side, each side from where its own sample starts', async () => {
    const Y = 'abababab-abab-4bab-8bab-abababababab';
    const now = Date.now();
    // 600 requests a side, a second apart; the other tenant's are older than Y's. Only each
    // side's 500th-latest request (index 100) runs edge.step; the 100 before it run old.step.
    const side = (tenant: string, since: number, edgeMs: number, oldMs: number): SpanSpec[] => {
      const roots = requests(tenant, '/edge', 100, 600, since).map((r, i) => ({ ...r, startMillis: since + i * 1000 }));
      return [
        ...withChildren(roots.slice(0, 100), [{ name: 'old.step', durationMillis: oldMs }]),
        ...withChildren([roots[100]!], [{ name: 'edge.step', durationMillis: edgeMs }]),
        ...withChildren(roots.slice(101), [{ name: 'base.step', durationMillis: 10 }]),
      ];
    };
    const spans = [...side(Y, now - 20 * 60_000, 60_000, 900), ...side(OTHERS[1]!, now - 40 * 60_000, 50_000, 0)];
    expect((await postOtlpJson(c.url, 'traces', tracesRequest('shop', spans))).status).toBe(200);

    const res = await c.get(`/api/slow?tenant=${Y}`, c.token('admin'));
    const { routes } = SlowResponseSchema.parse(await res.json());
    expect(routes[0]).toMatchObject({ route: '/edge', count: 600 });
    // edge.step: 60 s over Y's 500 sampled requests, for all 600 (72 s), less the other tenant's
    // 50 s over its 500 (0.1 s a request, 60 s in all). One request more or less on either side,
    // or old.step in the sample, and the figures or the step change.
    expect(routes[0]?.step).toMatchObject({ name: 'edge.step' });
    expect(routes[0]?.step?.tenantMs).toBeCloseTo(72_000);
    expect(routes[0]?.step?.excessMs).toBeCloseTo(12_000);
  });
});
