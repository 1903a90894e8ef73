import { ServiceMapResponseSchema, TenantOverviewResponseSchema, TenantsResponseSchema, TraceSearchResponseSchema } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTwoTenants, TENANT_A, TENANT_B, TRACE_A, TRACE_B, TRACE_JOB } from '../../test/helpers/seed-two-tenants.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

describe('web UI questions: trace search, tenant overview, service map', () => {
  let c: TestCollector;
  let platform: string;
  let tenantA: string;

  beforeAll(async () => {
    c = await startTestCollector();
    await seedTwoTenants(c.url);
    platform = c.token('traces:read');
    tenantA = c.token('traces:read', TENANT_A);
  });
  afterAll(async () => {
    await c.stop();
  });

  async function search(query: string, token = platform) {
    const res = await c.get(`/api/traces?${query}`, token);
    expect(res.status).toBe(200);
    return TraceSearchResponseSchema.parse(await res.json());
  }

  it('GET /api/traces lists both tenants for a platform token, with root, route, size and failures', async () => {
    const body = await search('');
    const byId = new Map(body.traces.map((t) => [t.traceId, t]));
    expect([...byId.keys()].sort()).toEqual([TRACE_A, TRACE_JOB, TRACE_B]);
    expect(byId.get(TRACE_A)).toMatchObject({
      tenantId: TENANT_A,
      rootService: 'api',
      rootName: 'POST /orders',
      route: 'POST /orders',
      services: ['api', 'billing'],
      spanCount: 6,
      errorCount: 1,
      violationCount: 2,
    });
    expect(byId.get(TRACE_A)!.durationMs).toBeCloseTo(640, 0);
    expect(body.traces[0]!.traceId).toBe(TRACE_B); // newest first
  });

  it.each([
    [`tenant=${TENANT_B}`, [TRACE_B]],
    [`tenant=${TENANT_A}`, [TRACE_JOB, TRACE_A]],
    ['service=billing', [TRACE_A]],
    ['route=GET%20%2Fledger%2Fentries', [TRACE_B]],
    ['minDurationMs=500', [TRACE_A]],
    ['violations=true', [TRACE_A]],
    ['errors=true', [TRACE_B, TRACE_A]],
    ['service=nope', []],
  ])('GET /api/traces?%s filters at the trace level', async (query, expected) => {
    expect((await search(query)).traces.map((t) => t.traceId)).toEqual(expected);
  });

  it('a tenant-bound token searches only its own tenant and is refused another', async () => {
    expect((await search('', tenantA)).traces.map((t) => t.traceId)).toEqual([TRACE_JOB, TRACE_A]);
    expect((await search('service=ledger-svc', tenantA)).traces).toEqual([]);
    const res = await c.get(`/api/traces?tenant=${TENANT_B}`, tenantA);
    expect(res.status).toBe(403);
  });

  it('GET /api/overview gives percentiles per route against its budget and violations over time', async () => {
    const res = await c.get(`/api/overview?tenant=${TENANT_A}&since=1h&buckets=12`, platform);
    expect(res.status).toBe(200);
    const body = TenantOverviewResponseSchema.parse(await res.json());
    expect(body.tenantId).toBe(TENANT_A);
    const orders = body.routes.find((r) => r.route === 'POST /orders');
    expect(orders).toMatchObject({ service: 'api', count: 1, budgetMs: 500, violations: 1, errors: 0 });
    expect(orders!.p95Ms).toBeCloseTo(640, 0);
    expect(body.routes.map((r) => r.route)).not.toContain('GET /ledger/entries');
    expect(body.timeline).toHaveLength(12);
    expect(body.timeline.reduce((n, b) => n + b.violations, 0)).toBe(2);
    expect(body.timeline.reduce((n, b) => n + b.requests, 0)).toBe(2); // api and billing entry spans
  });

  it('GET /api/overview for a tenant-bound token never mixes in other tenants', async () => {
    const res = await c.get('/api/overview', tenantA);
    const body = TenantOverviewResponseSchema.parse(await res.json());
    expect(body.tenantId).toBe(TENANT_A);
    expect(body.routes.map((r) => r.route).sort()).toEqual(['POST /charge', 'POST /orders']);
  });

  it('GET /api/service-map draws an edge where a span\'s parent ran in another service', async () => {
    const all = ServiceMapResponseSchema.parse(await (await c.get('/api/service-map', platform)).json());
    expect(all.edges).toEqual([{ from: 'api', to: 'billing', calls: 1, errors: 0, p95Ms: 180 }]);
    expect(all.nodes.map((n) => n.service).sort()).toEqual(['api', 'billing', 'ledger-svc', 'worker']);
    const mine = ServiceMapResponseSchema.parse(await (await c.get('/api/service-map', tenantA)).json());
    expect(mine.nodes.map((n) => n.service).sort()).toEqual(['api', 'billing', 'worker']);
  });

  it('GET /api/tenants lists the tenants seen, busiest first, and only its own to a tenant-bound token', async () => {
    const all = TenantsResponseSchema.parse(await (await c.get('/api/tenants', platform)).json());
    expect(all.tenants.map((t) => [t.tenantId, t.spans, t.traces, t.errors, t.violations])).toEqual([
      [TENANT_A, 7, 2, 1, 2],
      [TENANT_B, 2, 1, 1, 0],
    ]);
    const mine = TenantsResponseSchema.parse(await (await c.get('/api/tenants', tenantA)).json());
    expect(mine.tenants.map((t) => t.tenantId)).toEqual([TENANT_A]);
  });

  it('every new question is audited', async () => {
    const admin = c.token('admin');
    const res = await c.get('/api/audit?limit=500', admin);
    const routes = ((await res.json()) as { entries: { route: string }[] }).entries.map((e) => e.route);
    expect(routes).toEqual(expect.arrayContaining(['/api/traces', '/api/overview', '/api/service-map', '/api/tenants']));
  });
});
