import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformStatusSchema, StatusResponseSchema, TenantStatusSchema } from '@stitch/contract';
import { runCli } from '../cli/run-cli.js';
import { logsRequest, postOtlpJson } from '../internal/otlp-json-builder.js';
import { seedTenant } from '../internal/seed-scenario.js';
import { startTestCollector, testStoreDialect, type TestCollector } from '../internal/test-collector.js';
import { tableFor } from './engine-sql.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
let c: TestCollector;

beforeAll(async () => {
  c = await startTestCollector();
  await seedTenant(c.url, A, 'alpha');
  await seedTenant(c.url, B, 'beta');
  // B gets more, so a tenant's figures cannot be mistaken for half of the platform's.
  await postOtlpJson(c.url, 'logs', logsRequest('svc', [{ timeMillis: Date.now(), body: 'beta extra', attributes: { tenant_id: B } }]));
});
afterAll(async () => {
  await c.stop();
});

async function stored(tenantId: string): Promise<{ spans: number; logs: number }> {
  const [spans, logs] = [tableFor(c.store, 'spans'), tableFor(c.store, 'logs')];
  const [row] = await c.store.query(
    `SELECT (SELECT count(*) FROM ${spans} WHERE tenant_id = $t) AS spans, (SELECT count(*) FROM ${logs} WHERE tenant_id = $t) AS logs`,
    { t: tenantId },
  );
  return { spans: Number(row!.spans), logs: Number(row!.logs) };
}

describe('GET /api/status', () => {
  it('gives a tenant-bound token its own tenant’s stored counts, and no store path, ingest totals or forwarder', async () => {
    const res = await c.get('/api/status', c.token(['traces:read', 'logs:read'], A));
    expect(res.status).toBe(200);
    const text = await res.text();
    // Strict: no key beyond the tenant view's (no ingest, forward or store path) may come back.
    const status = TenantStatusSchema.strict().parse(JSON.parse(text));
    expect(StatusResponseSchema.parse(JSON.parse(text)).view).toBe('tenant');
    const own = await stored(A);
    expect(own.spans).toBeGreaterThan(0);
    expect(status).toMatchObject({ view: 'tenant', tenantId: A, store: { spans: own.spans, logs: own.logs } });
    // The platform's span retention, whatever the engine keeps it by (its DuckDB figure below).
    const platform = PlatformStatusSchema.parse(await (await c.get('/api/status', c.token('traces:read'))).json());
    expect(status.retention.maxAgeHours).toBe(platform.retention.maxAgeHours);
    // The DuckDB file's name, or the ClickHouse location (`chdb::memory:` in the clickhouse project).
    expect(text).not.toContain(c.store.path.split('/').pop()!);
    expect(text).not.toContain(B);
  });

  it('gives a platform-wide token the whole collector, as before', async () => {
    const status = PlatformStatusSchema.parse(await (await c.get('/api/status', c.token('traces:read'))).json());
    const [a, b] = [await stored(A), await stored(B)];
    // DuckDB: the configured file; ClickHouse has none, and names its URL without the password.
    const path = c.store.dialect === 'duckdb' ? c.config.data : c.store.path;
    expect(status.store).toMatchObject({ path, spans: a.spans + b.spans, logs: a.logs + b.logs });
    expect(status.ingest.acceptedSpans).toBe(a.spans + b.spans);
  });

  it('`stitch status` renders the tenant view for a tenant-bound token', async () => {
    let out = '';
    const code = await runCli(['status'], { stdout: (t) => (out += t), stderr: () => undefined, env: { STITCH_URL: c.url, STITCH_TOKEN: c.token('logs:read', B) } });
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^tenant +${B}$`, 'm'));
    expect(out).toMatch(new RegExp(`^logs stored +${(await stored(B)).logs}$`, 'm'));
    expect(out).not.toMatch(/^store /m);
  });
});

// Only the DuckDB run registers this: there Stitch itself deletes spans and logs past
// maxAgeHours, while on ClickHouse the exporter's tables keep their own retention (a table TTL,
// docs/past-one-machine.md) and Stitch applies no age of its own to report.
if (testStoreDialect() === 'duckdb') {
  describe('GET /api/status on DuckDB', () => {
    it('gives a tenant-bound token the span retention Stitch applies (168 h by default)', async () => {
      const status = TenantStatusSchema.parse(await (await c.get('/api/status', c.token('traces:read', A))).json());
      expect(status.retention.maxAgeHours).toBe(168);
    });
  });
}
