import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelopeSchema, LogsResponseSchema, PlatformStatusSchema } from '@stitch/contract';
import { loadCollectorConfig } from '../config/collector-config.js';
import { StitchError } from '@stitch/contract';
import { logsRequest, newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

function post(c: TestCollector, signal: 'traces' | 'logs', body: object, token?: string): Promise<Response> {
  return fetch(`${c.url}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function tenantsOfTrace(c: TestCollector, traceId: string): Promise<(string | null)[]> {
  const rows = await c.store.query(`SELECT tenant_id FROM spans WHERE trace_id = $t ORDER BY name`, { t: traceId });
  return rows.map((r) => r.tenant_id as string | null);
}

describe('ingestAuth: required', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ ingestAuth: 'required' });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('refuses ingest without a token, with a bad, an expired or a read-only one, with the envelope, and stores nothing', async () => {
    const traceId = newTraceId();
    const body = tracesRequest('svc', [{ traceId, name: 'sneaky', startMillis: Date.now(), durationMillis: 1, attributes: { 'tenant.id': A } }]);
    const expired = c.tokens.create({ scopes: ['ingest:write'], tenantId: A, ttlMillis: 60_000 }, Date.now() - 120_000).token;
    for (const [token, status, code] of [
      [undefined, 401, 'STITCH_ERR_COLLECTOR_UNAUTHENTICATED'],
      ['stitch_not-a-token', 401, 'STITCH_ERR_COLLECTOR_UNAUTHENTICATED'],
      [expired, 401, 'STITCH_ERR_COLLECTOR_TOKEN_EXPIRED'],
      [c.token('traces:read', A), 403, 'STITCH_ERR_COLLECTOR_FORBIDDEN'],
    ] as const) {
      const res = await post(c, 'traces', body, token);
      expect(res.status).toBe(status);
      expect(ErrorEnvelopeSchema.parse(await res.json()).error.code).toBe(code);
    }
    expect((await post(c, 'logs', logsRequest('svc', [{ timeMillis: Date.now(), body: 'x' }]))).status).toBe(401);
    expect(await tenantsOfTrace(c, traceId)).toEqual([]);
  });

  it('stores what a tenant-bound ingest token sends under its tenant, whatever the spans and logs claim', async () => {
    const token = c.token('ingest:write', A);
    const traceId = newTraceId();
    const now = Date.now();
    const spans = tracesRequest(
      'svc',
      [
        { traceId, name: '1 claims B', startMillis: now, durationMillis: 1, attributes: { 'tenant.id': B } },
        { traceId, name: '2 claims none', startMillis: now, durationMillis: 1 },
      ],
      { 'tenant.id': B },
    );
    expect((await post(c, 'traces', spans, token)).status).toBe(200);
    expect(await tenantsOfTrace(c, traceId)).toEqual([A, A]);
    expect((await post(c, 'logs', logsRequest('svc', [{ timeMillis: now, body: 'forged for beta', attributes: { tenant_id: B } }]), token)).status).toBe(200);
    const asB = LogsResponseSchema.parse(await (await c.get('/api/logs', c.token('logs:read', B))).json());
    expect(asB.logs.map((l) => l.body)).not.toContain('forged for beta');
    const asA = LogsResponseSchema.parse(await (await c.get('/api/logs', c.token('logs:read', A))).json());
    expect(asA.logs.map((l) => l.body)).toContain('forged for beta');
  });

  it('lets a platform-wide ingest token write for the tenants its records name', async () => {
    const traceId = newTraceId();
    const body = tracesRequest('svc', [{ traceId, name: 'for B', startMillis: Date.now(), durationMillis: 1, attributes: { 'tenant.id': B } }]);
    expect((await post(c, 'traces', body, c.token('ingest:write'))).status).toBe(200);
    expect(await tenantsOfTrace(c, traceId)).toEqual([B]);
  });
});

describe('ingestAuth: off (the default)', () => {
  it('accepts ingest without a token, as before', async () => {
    const c = await startTestCollector();
    try {
      expect(c.config.ingestAuth).toBe('off');
      const traceId = newTraceId();
      expect((await postOtlpJson(c.url, 'traces', tracesRequest('svc', [{ traceId, name: 'open', startMillis: Date.now(), durationMillis: 1 }]))).status).toBe(200);
      const status = PlatformStatusSchema.parse(await (await c.get('/api/status', c.token('admin'))).json());
      expect(status.store.spans).toBe(1);
    } finally {
      await c.stop();
    }
  });
});

describe('the ingestAuth setting', () => {
  it('is read from STITCH_INGEST_AUTH, and an unknown mode is refused with STITCH_ERR_CONFIG_INVALID naming it', () => {
    expect(loadCollectorConfig({}, { STITCH_INGEST_AUTH: 'required' }).ingestAuth).toBe('required');
    let refused: unknown;
    try {
      loadCollectorConfig({}, { STITCH_INGEST_AUTH: 'sometimes' });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(StitchError);
    expect((refused as StitchError).code).toBe('STITCH_ERR_CONFIG_INVALID');
    expect((refused as StitchError).message).toContain('ingestAuth');
  });
});
