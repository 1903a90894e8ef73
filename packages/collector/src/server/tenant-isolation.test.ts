import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditResponseSchema,
  ErrorEnvelopeSchema,
  ErrorsResponseSchema,
  LogsResponseSchema,
  QueriesTopResponseSchema,
  RequestJobsResponseSchema,
  SlowResponseSchema,
  TokenCreatedSchema,
  ViolationsResponseSchema,
  WebhookRetriesResponseSchema,
} from '@stitch/contract';
import { QUESTIONS } from '../questions/registry/index.js';
import { logsRequest, postOtlpJson } from '../internal/otlp-json-builder.js';
import { seedTenant, type TenantScenario } from '../internal/seed-scenario.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
let c: TestCollector;
let a: TenantScenario;
let b: TenantScenario;
let tokenA: string;
let logsA: string;

beforeAll(async () => {
  c = await startTestCollector({ limits: { maxQueryWindowHours: 48, maxConcurrentStreamsPerToken: 1, maxTailLinesPerSecond: 50 } });
  a = await seedTenant(c.url, A, 'alpha');
  b = await seedTenant(c.url, B, 'beta');
  tokenA = c.token('traces:read', A);
  logsA = c.token('logs:read', A);
});
afterAll(async () => {
  await c.stop();
});

async function code(res: Response): Promise<string> {
  return ErrorEnvelopeSchema.parse(await res.json()).error.code;
}

describe('a tenant-bound token', () => {
  it('reads its own trace, and gets 404 for another tenant’s trace id exactly as for an unknown one', async () => {
    expect((await c.get(`/api/traces/${a.requestTraceId}`, tokenA)).status).toBe(200);
    const guessed = await c.get(`/api/traces/${b.requestTraceId}`, tokenA);
    expect(guessed.status).toBe(404);
    expect(await code(guessed)).toBe('STITCH_ERR_COLLECTOR_NOT_FOUND');
    expect((await c.get(`/api/traces/${'ab'.repeat(16)}`, tokenA)).status).toBe(404);
  });

  it('is refused when a filter names another tenant', async () => {
    for (const path of [`/api/slow?tenant=${B}`, `/api/errors?tenant=${B}`, `/api/queries/top?tenant=${B}`]) {
      const res = await c.get(path, tokenA);
      expect(res.status).toBe(403);
      expect(await code(res)).toBe('STITCH_ERR_COLLECTOR_TENANT_FORBIDDEN');
    }
    expect((await c.get(`/api/logs?tenant=${B}`, logsA)).status).toBe(403);
  });

  it('sees only its own tenant in every aggregate', async () => {
    const errors = ErrorsResponseSchema.parse(await (await c.get('/api/errors', tokenA)).json());
    expect(new Set(errors.groups.flatMap((g) => g.tenants.map((t) => t.tenantId)))).toEqual(new Set([A]));
    const violations = ViolationsResponseSchema.parse(await (await c.get('/api/violations', tokenA)).json());
    expect(new Set(violations.groups.flatMap((g) => g.tenants.map((t) => t.tenantId)))).toEqual(new Set([A]));
    const queries = QueriesTopResponseSchema.parse(await (await c.get('/api/queries/top', tokenA)).json());
    expect(queries.queries[0]?.tenants).toEqual([A]);
    expect(queries.queries[0]?.count).toBe(1);
    const hooks = WebhookRetriesResponseSchema.parse(await (await c.get('/api/webhooks/retries', tokenA)).json());
    expect(hooks.endpoints.map((e) => e.endpoint)).toEqual([a.webhookEndpoint]);
    // Comparing with other tenants is itself an aggregate of their data: withheld.
    const slow = SlowResponseSchema.parse(await (await c.get('/api/slow', tokenA)).json());
    expect(slow.tenantId).toBe(A);
    expect(slow.routes.every((r) => r.otherTenantsP95Ms === null)).toBe(true);
  });

  it('cannot follow another tenant’s job or request links', async () => {
    expect((await c.get(`/api/jobs/${b.runId}/origin`, tokenA)).status).toBe(404);
    const jobs = RequestJobsResponseSchema.parse(await (await c.get(`/api/requests/${b.requestTraceId}/jobs`, tokenA)).json());
    expect(jobs.jobs).toEqual([]);
  });

  it('reads only its own log lines, and a traces-only token gets none of them', async () => {
    const logs = LogsResponseSchema.parse(await (await c.get('/api/logs', logsA)).json());
    expect(logs.logs.length).toBe(3);
    expect(new Set(logs.logs.map((l) => l.tenantId))).toEqual(new Set([A]));
    const trace = (await (await c.get(`/api/traces/${a.requestTraceId}`, tokenA)).json()) as { logs: unknown[] };
    expect(trace.logs).toEqual([]);
    expect((await c.get('/api/logs', tokenA)).status).toBe(403);
  });

  it('follows only its own tenant’s live log lines', async () => {
    const controller = new AbortController();
    const res = await fetch(`${c.url}/api/logs?follow=true`, { headers: { authorization: `Bearer ${logsA}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const now = Date.now();
    await postOtlpJson(c.url, 'logs', logsRequest('svc', [{ timeMillis: now, body: 'beta secret', attributes: { tenant_id: B } }]));
    await postOtlpJson(c.url, 'logs', logsRequest('svc', [{ timeMillis: now, body: 'alpha live', attributes: { tenant_id: A } }]));
    let text = '';
    while (!text.includes('alpha live')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('alpha live');
    expect(text).not.toContain('beta secret');
  });
});

describe('access rules', () => {
  it('requires a bearer token on every API route, even from localhost', async () => {
    const everyQuestion = QUESTIONS.map((q) => `/api${q.route.replace(/:[A-Za-z]+/g, a.requestTraceId)}`);
    for (const path of [...everyQuestion, '/api/questions']) {
      const res = await fetch(`${c.url}${path}`);
      expect(res.status).toBe(401);
      expect(await code(res)).toBe('STITCH_ERR_COLLECTOR_UNAUTHENTICATED');
    }
    expect((await c.get('/api/status', 'stitch_not-a-real-token')).status).toBe(401);
  });

  it('audits every read, and only admins can query the audit', async () => {
    await c.get(`/api/traces/${a.requestTraceId}`, tokenA);
    expect((await c.get('/api/audit', tokenA)).status).toBe(403);
    const admin = c.token('admin');
    const audit = AuditResponseSchema.parse(await (await c.get('/api/audit?limit=500', admin)).json());
    const mine = audit.entries.filter((e) => e.query === `/api/traces/${a.requestTraceId}` && e.tokenId !== null);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]).toMatchObject({ scope: 'traces:read', tenantId: A, status: 200 });
    expect(audit.entries.some((e) => e.status === 401 && e.tokenId === null)).toBe(true);
  });

  it('lets only a platform-wide admin issue tokens over the API, and the new token works at once', async () => {
    const post = (token: string, body: object): Promise<Response> =>
      fetch(`${c.url}/api/tokens`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post(tokenA, { scope: 'admin', allTenants: true })).status).toBe(403);
    const res = await post(c.token('admin'), { scope: 'traces:read', tenantId: B });
    expect(res.status).toBe(201);
    const created = TokenCreatedSchema.parse(await res.json());
    expect(created).toMatchObject({ scopes: ['traces:read'], tenantId: B, expiresAt: null });
    expect((await c.get(`/api/traces/${b.requestTraceId}`, created.token)).status).toBe(200);
    expect((await c.get(`/api/traces/${a.requestTraceId}`, created.token)).status).toBe(404);
  });

  it('answers 429 naming the limit for a window past max_query_window', async () => {
    const res = await c.get('/api/errors?since=30d', tokenA);
    expect(res.status).toBe(429);
    const env = ErrorEnvelopeSchema.parse(await res.json());
    expect(env.error.code).toBe('STITCH_ERR_COLLECTOR_LIMIT_QUERY_WINDOW');
    expect(env.error.message).toMatch(/max_query_window/);
  });

  it('answers 429 naming the limit for a tail rate past max_tail_rate and for one stream too many', async () => {
    const fast = await c.get('/api/logs?follow=true&rate=1000', logsA);
    expect(fast.status).toBe(429);
    expect(await code(fast)).toBe('STITCH_ERR_COLLECTOR_LIMIT_TAIL_RATE');
    const controller = new AbortController();
    const first = await fetch(`${c.url}/api/logs?follow=true`, { headers: { authorization: `Bearer ${logsA}` }, signal: controller.signal });
    expect(first.status).toBe(200);
    const second = await c.get('/api/logs?follow=true', logsA);
    expect(second.status).toBe(429);
    expect(await code(second)).toBe('STITCH_ERR_COLLECTOR_LIMIT_STREAMS');
    controller.abort();
  });
});
