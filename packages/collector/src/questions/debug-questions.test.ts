import {
  ErrorsResponseSchema,
  JobOriginResponseSchema,
  LogsResponseSchema,
  QueriesTopResponseSchema,
  RequestJobsResponseSchema,
  SlowResponseSchema,
  PlatformStatusSchema,
  TraceResponseSchema,
  ViolationsResponseSchema,
  WebhookRetriesResponseSchema,
} from '@stitch/contract';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, type TenantScenario } from '../internal/seed-scenario.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
let c: TestCollector;
let a: TenantScenario;
let b: TenantScenario;
let admin: string;

beforeAll(async () => {
  c = await startTestCollector();
  a = await seedTenant(c.url, A, 'alpha');
  b = await seedTenant(c.url, B, 'beta');
  admin = c.token('admin');
});
afterAll(async () => {
  await c.stop();
});

async function ask<S extends z.ZodType>(schema: S, path: string): Promise<z.infer<S>> {
  const res = await c.get(path, admin);
  expect(res.status).toBe(200);
  return schema.parse(await res.json());
}

describe('the debug questions', () => {
  it('trace: the whole trace as a tree with its log lines', async () => {
    const t = await ask(TraceResponseSchema, `/api/traces/${a.requestTraceId}`);
    expect(t.spans.map((s) => [s.name, s.depth])).toEqual([
      ['GET /orders/:id', 0],
      ['orders.by_id', 1],
      ['outbox.add', 1],
    ]);
    expect(t.spans[0]).toMatchObject({ tenantId: A, service: 'shop-alpha', route: '/orders/:id', perfViolation: true, durationMs: 900 });
    expect(t.logs.map((l) => l.body)).toEqual(['alpha: loading order', 'alpha: route over budget']);
  });

  it('slow: ranks the tenant’s routes by p95 against budget and other tenants, with the dominant child', async () => {
    const s = await ask(SlowResponseSchema, `/api/slow?tenant=${A}`);
    const route = s.routes.find((r) => r.route === '/orders/:id')!;
    expect(route).toMatchObject({ count: 10, budgetMs: 500, violations: 1 });
    expect(route.p99Ms).toBeGreaterThan(route.p50Ms);
    expect(route.otherTenantsP95Ms).not.toBeNull();
    expect(s.slowestTraces[0]).toMatchObject({ traceId: a.requestTraceId, durationMs: 900 });
    expect(s.slowestTraces[0]!.dominantChild).toEqual({ name: 'orders.by_id', component: 'query', durationMs: 700 });
  });

  it('queries --top: ranks queries by total time with the tenants affected and example traces', async () => {
    const q = await ask(QueriesTopResponseSchema, '/api/queries/top');
    expect(q.queries[0]).toMatchObject({ queryName: 'orders.by_id', count: 2, totalMs: 1400, tenantCount: 2 });
    expect(new Set(q.queries[0]!.tenants)).toEqual(new Set([A, B]));
    expect(q.queries[0]!.exampleTraceIds).toEqual(expect.arrayContaining([a.requestTraceId, b.requestTraceId]));
  });

  it('webhooks --retries: ranks endpoints by attempts with failures, retries and tenants', async () => {
    const w = await ask(WebhookRetriesResponseSchema, '/api/webhooks/retries');
    const alpha = w.endpoints.find((e) => e.endpoint === a.webhookEndpoint)!;
    expect(alpha).toMatchObject({ attempts: 3, failures: 3, retries: 2, maxAttempt: 3, tenants: [A], exampleTraceIds: [a.jobTraceId] });
  });

  it('job --origin: finds the request that enqueued a run, by run id or job id', async () => {
    for (const id of [a.runId, a.jobId]) {
      const j = await ask(JobOriginResponseSchema, `/api/jobs/${id}/origin`);
      expect(j.runs[0]).toMatchObject({ runId: a.runId, jobName: 'send-receipt', via: 'both' });
      expect(j.origin).toMatchObject({ traceId: a.requestTraceId, route: '/orders/:id', requestId: 'req-alpha-0001', tenantId: A });
    }
  });

  it('request --jobs: lists the jobs a request triggered', async () => {
    const r = await ask(RequestJobsResponseSchema, `/api/requests/${a.requestTraceId}/jobs`);
    expect(r.jobs.map((j) => [j.runId, j.traceId])).toEqual([[a.runId, a.jobTraceId]]);
  });

  it('errors: one row per failure, under its entry, with its failing step and its tenants', async () => {
    const e = await ask(ErrorsResponseSchema, `/api/errors?tenant=${A}`);
    const payments = e.groups.find((g) => g.entry === '/payments')!;
    expect(payments).toMatchObject({ entryKind: 'http', step: 'POST /payments', component: 'route', count: 1, message: 'card declined', tenants: [{ tenantId: A, count: 1 }], exampleTraceIds: [a.erroredTraceId] });
    expect(e.groups.find((g) => g.component === 'webhook')).toMatchObject({ entryKind: 'webhook', entry: a.webhookEndpoint, step: 'webhook.deliver', count: 3, traceCount: 1 });
  });

  it('violations: one row per route or query, summed over tenants, the tenants in the row', async () => {
    const v = await ask(ViolationsResponseSchema, '/api/violations');
    expect(v.groups.map((g) => [g.component, g.name, g.route, g.count]).sort()).toEqual([
      ['query', 'orders.by_id', '/orders/:id', 2],
      ['route', '/orders/:id', '/orders/:id', 2],
    ]);
    for (const g of v.groups) expect(g.tenants).toEqual([A, B].sort().map((tenantId) => ({ tenantId, count: 1 })));
  });

  it('answers only for the --since/--until window', async () => {
    const before = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const stillBefore = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const empty = await ask(ErrorsResponseSchema, `/api/errors?since=${before}&until=${stillBefore}`);
    expect(empty.groups).toEqual([]);
    expect(empty.window).toEqual({ since: before, until: stillBefore });
    const recent = await ask(ErrorsResponseSchema, '/api/errors?since=2h');
    expect(recent.groups.length).toBeGreaterThan(0);
  });

  it('logs: filters by service, instance and minimum severity', async () => {
    const bySvc = await ask(LogsResponseSchema, `/api/logs?service=shop-beta`);
    expect(new Set(bySvc.logs.map((l) => l.tenantId))).toEqual(new Set([B]));
    const errorsOnly = await ask(LogsResponseSchema, `/api/logs?tenant=${A}&minSeverity=17`);
    expect(errorsOnly.logs.map((l) => l.body)).toEqual(['alpha: payment failed']);
    const noInstance = await ask(LogsResponseSchema, `/api/logs?instance=nope`);
    expect(noInstance.logs).toEqual([]);
  });

  it('status: reports what was ingested and stored', async () => {
    const s = await ask(PlatformStatusSchema, '/api/status');
    expect(s.store.spans).toBe(2 * 17);
    expect(s.store.logs).toBe(6);
    expect(s.ingest.acceptedSpans).toBe(2 * 17);
    // Stitch's age limit runs on DuckDB; on ClickHouse the exporter's tables keep theirs, a table TTL (none here).
    expect(s.retention).toMatchObject(c.store.dialect === 'duckdb' ? { maxAgeHours: 168, tableTtl: null } : { maxAgeHours: null, tableTtl: { traces: null, logs: null } });
  });
});
