import { LogField, SpanAttr } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logsRequest, newTraceId, postOtlpJson, tracesRequest, type SpanSpec } from '../../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../../internal/test-collector.js';
import type { ReadOptions } from '../store.js';
import { STORABLE_SPAN_COLUMNS } from './stitch-views.js';
import { migrateStore, revertStoreMigration, STORED_SPAN_COLUMNS, storedColumns } from './store-migration.js';

const X = '77777777-7777-4777-8777-777777777777';
const OTHERS = ['88888888-8888-4888-8888-888888888888', '99999999-9999-4999-8999-999999999999'];
let c: TestCollector;
/** One window for every ask, so answers compare whole (a window defaults to the hour before now). */
let window: string;

/** Kernel-shaped requests, each with one query child and, for X's searches, a failure. */
function requests(tenantId: string, route: string, durationMillis: number, n: number, t: number, failing = false): SpanSpec[] {
  return Array.from({ length: n }, (_, i) => {
    const traceId = newTraceId();
    const spanId = `${tenantId.slice(0, 4)}${route.length.toString(16).padStart(4, '0')}${i.toString(16).padStart(8, '0')}`;
    const entry = { [SpanAttr.tenantId]: tenantId, [SpanAttr.entryRoute]: route, [SpanAttr.entryKind]: 'http' };
    return [
      { traceId, spanId, name: `GET ${route}`, kind: 2, startMillis: t + i, durationMillis, attributes: { ...entry, [SpanAttr.routeId]: route, [SpanAttr.budgetMillis]: 500 } },
      {
        traceId,
        parentSpanId: spanId,
        name: 'SELECT orders',
        kind: 3,
        startMillis: t + i,
        durationMillis: durationMillis - 1,
        ...(failing && { statusCode: 2, statusMessage: 'search index unavailable' }),
        attributes: { ...entry, [SpanAttr.queryName]: `${route.slice(1)}.query`, [SpanAttr.component]: 'query' },
      },
    ];
  }).flat();
}

/** One span with every attribute a stored column is filled from, so that the view compares column by column. */
function everyStoredAttribute(t: number): SpanSpec {
  return {
    traceId: newTraceId(),
    name: 'process_event',
    kind: 5,
    startMillis: t,
    durationMillis: 3,
    statusCode: 2,
    statusMessage: 'handler failed',
    attributes: {
      [SpanAttr.tenantId]: X, [SpanAttr.entryRoute]: '/orders', [SpanAttr.entryKind]: 'http', [SpanAttr.routeId]: '/orders',
      [SpanAttr.component]: 'consumer', [SpanAttr.queryName]: 'orders.read', [SpanAttr.dbStatement]: 'SELECT 1',
      [SpanAttr.jobName]: 'invoice', [SpanAttr.jobId]: 'job-1', [SpanAttr.runId]: 'run-1', [SpanAttr.jobAttempt]: 3,
      [SpanAttr.webhookEndpoint]: 'https://hooks.example/a', [SpanAttr.webhookAttempt]: 2, 'http.response.status_code': 503,
      [SpanAttr.consumerGroup]: 'billing', [SpanAttr.eventType]: 'order.created', [SpanAttr.eventId]: 'evt-1', [SpanAttr.eventOutcome]: 'failed',
      [SpanAttr.requestId]: 'req-1', [SpanAttr.parentTraceId]: '0af7651916cd43dd8448eb211c80319c', [SpanAttr.parentRequestId]: 'req-0',
      [SpanAttr.budgetMillis]: 12.5, [SpanAttr.perfViolation]: true, [SpanAttr.housekeeping]: true, [SpanAttr.errorType]: 'Timeout',
    },
  };
}

/** Every row of the spans view, as the questions read it. */
const viewRows = async (): Promise<unknown[]> => [
  ...(await c.store.query('SELECT * EXCEPT (Timestamp) FROM stitch_spans ORDER BY trace_id, span_id')),
  ...(await c.store.query('SELECT * EXCEPT (Timestamp) FROM stitch_logs ORDER BY time_ns, body')),
];

/** What each question answers, for a platform-wide token and for X's own. */
async function answers(): Promise<unknown[]> {
  const platform = c.token('admin');
  const own = c.token('traces:read', X);
  const paths: [string, string][] = [
    [`/api/slow?tenant=${X}`, platform],
    ['/api/slow', own],
    ['/api/errors', platform],
    ['/api/errors', own],
    ['/api/violations', platform],
    ['/api/queries/top', platform],
    [`/api/traces?tenant=${X}`, platform],
    ['/api/tenants', platform],
    ['/api/retries', platform],
    ['/api/retries', own],
    [`/api/logs?tenant=${X}`, platform],
    ['/api/logs', c.token('logs:read', X)],
  ];
  return Promise.all(
    paths.map(async ([path, token]) => {
      const res = await c.get(`${path}${path.includes('?') ? '&' : '?'}${window}`, token);
      expect(res.status, path).toBe(200);
      return [path, await res.json()];
    }),
  );
}

const showCreate = async (): Promise<string> =>
  [
    String((await c.store.query('SHOW CREATE TABLE otel_traces'))[0]?.statement),
    String((await c.store.query('SHOW CREATE TABLE otel_logs'))[0]?.statement),
  ].join('\n');

beforeAll(async () => {
  // This file is about the ClickHouse engine only: its collector runs on chdb whatever the project.
  vi.stubEnv('STITCH_TEST_STORE', 'clickhouse');
  c = await startTestCollector();
  const t = Date.now() - 60_000;
  window = `since=${new Date(t - 60_000).toISOString()}&until=${new Date(t + 120_000).toISOString()}`;
  const spans = [
    ...requests(X, '/orders/search', 900, 12, t, true),
    ...OTHERS.flatMap((o) => requests(o, '/orders/search', 20, 12, t)),
    ...[X, ...OTHERS].flatMap((tenant) => requests(tenant, '/health', 3, 6, t + 1000)),
    everyStoredAttribute(t),
  ];
  expect((await postOtlpJson(c.url, 'traces', tracesRequest('shop', spans))).status).toBe(200);
  // Log lines of each tenant: the logs view's tenant is stored by migrate too.
  const lines = [X, ...OTHERS].map((tenant, i) => ({ timeMillis: t + i, body: `search for ${tenant}`, attributes: { [LogField.tenantId]: tenant } }));
  expect((await postOtlpJson(c.url, 'logs', logsRequest('shop', lines))).status).toBe(200);
});
afterAll(async () => {
  await c?.stop();
  vi.unstubAllEnvs();
});

describe('stitch store migrate on ClickHouse', () => {
  it('stores every column the views read from the maps, and every question answers the same after it and after --revert', async () => {
    const before = await answers();
    expect(JSON.stringify(before)).toContain('/orders/search');
    expect(JSON.stringify(before)).toContain(`search for ${X}`);
    const rowsBefore = await viewRows();
    // The comparison covers every stored column: the planted span fills each of them.
    const planted = rowsBefore.find((r) => (r as { name: string }).name === 'process_event') as Record<string, unknown>;
    for (const column of Object.keys(STORABLE_SPAN_COLUMNS)) expect(planted[column], column).not.toBeNull();
    const exporterSchema = await showCreate();

    await migrateStore(c.store);
    expect(await storedColumns(c.store)).toEqual({ spans: STORED_SPAN_COLUMNS, logTenant: 'StitchTenantId' });
    expect(STORED_SPAN_COLUMNS).toMatchObject({ tenant_id: 'StitchTenantId', entry_route: 'StitchEntryRoute', query_name: 'StitchQueryName', job_attempt: 'StitchJobAttempt' });
    expect(await viewRows()).toEqual(rowsBefore);
    const migrated = await showCreate();
    expect(migrated).toMatch(/PROJECTION stitch_by_tenant/);
    expect(migrated).toMatch(/INDEX idx_StitchTenantId StitchTenantId TYPE bloom_filter/);
    // The views read the stored columns now, not the maps.
    expect(String((await c.store.query('SHOW CREATE TABLE stitch_spans'))[0]?.statement)).toMatch(/StitchTenantId AS tenant_id/);
    // A tenant-bound read through the view is a condition on the projection's sort key, so on a
    // large table it reads that tenant's granules only (here the table is a single granule).
    const plan = (await c.store.query(`EXPLAIN projections = 1 SELECT count() FROM stitch_spans WHERE tenant_id = {tenant:String}`, { tenant: X })).map((r) => String(r.explain)).join('\n');
    expect(plan).toMatch(/Name: stitch_by_tenant\s+Description: Projection stitch_by_tenant is usable/);
    expect(plan).toMatch(/Condition: \(StitchTenantId in/);
    // Existing rows have the columns filled in, not only new ones.
    expect(await c.store.query(`SELECT StitchTenantId AS tenant, count() AS n FROM otel_traces GROUP BY tenant ORDER BY tenant`)).toEqual(
      [X, ...OTHERS].sort().map((tenant) => ({ tenant, n: tenant === X ? '37' : '36' })),
    );
    expect(await answers()).toEqual(before);

    // A second run changes nothing; spans stored after it get the columns on insert.
    await migrateStore(c.store);
    expect(await showCreate()).toBe(migrated);

    await revertStoreMigration(c.store);
    expect(await showCreate()).toBe(exporterSchema);
    expect(await storedColumns(c.store)).toEqual({ spans: {}, logTenant: undefined });
    expect(await answers()).toEqual(before);
  });

  it('projects every stored column, also on a store an earlier migrate left with fewer, so tenant-bound reads of them use the projection', async () => {
    // Fails unless ClickHouse answers from the projection (a tiny table would not pick it alone).
    const usesProjection = (): Promise<boolean> =>
      c.store
        .query(`SELECT max(job_attempt) AS n FROM stitch_spans WHERE tenant_id = {tenant:String} SETTINGS force_optimize_projection_name = 'stitch_by_tenant'`, { tenant: X })
        .then(() => true, () => false);
    // Enough granules that reading one tenant's from the projection pays (8192 rows a granule).
    await c.store.exec(`INSERT INTO otel_traces (Timestamp, TraceId, SpanId, SpanName, ServiceName, SpanAttributes)
      SELECT now64(9) - number, lower(hex(number)), lower(hex(number)), 'bulk', 'bulk', map('tenant.id', if(number % 50 = 0, {x:String}, concat('bulk-', toString(number % 49))))
      FROM numbers(200000)`, { x: X });
    await migrateStore(c.store);
    expect(await usesProjection()).toBe(true);
    // A read says which way it goes, whatever its parameters: bound to a tenant but read in time
    // order (slow's comparison with the other tenants), and a tenant list grouped by tenant.
    const readsProjection = async (sql: string, params: Record<string, string>, options: ReadOptions): Promise<boolean> =>
      (await c.store.query(`EXPLAIN ${sql}`, params, options)).some((r) => String(r.explain).includes('ReadFromMergeTree (stitch_by_tenant)'));
    expect(await readsProjection(`SELECT max(job_attempt) AS n FROM stitch_spans WHERE tenant_id = {tenant:String}`, { tenant: X }, {})).toBe(true);
    expect(await readsProjection(`SELECT max(job_attempt) AS n FROM stitch_spans WHERE tenant_id = {tenant:String}`, { tenant: X }, { byTenant: false })).toBe(false);
    expect(await readsProjection(`SELECT max(job_attempt) AS n FROM stitch_spans WHERE tenant_id = '${X}'`, {}, {})).toBe(false);
    expect(await readsProjection(`SELECT max(job_attempt) AS n FROM stitch_spans WHERE tenant_id = '${X}'`, {}, { byTenant: true })).toBe(true);
    // A read of every tenant leaves it alone: in tenant order, the whole window was slower.
    const platformPlan = await c.store.query(`EXPLAIN projections = 1 SELECT max(job_attempt) AS n FROM stitch_spans WHERE tenant_id IS NOT NULL`);
    expect(platformPlan.map((r) => String(r.explain)).join('\n')).not.toMatch(/stitch_by_tenant/);
    // As an earlier Stitch left it: the projection made before StitchJobAttempt existed.
    await c.store.exec(`ALTER TABLE otel_traces DROP PROJECTION stitch_by_tenant SETTINGS mutations_sync = 2`);
    await c.store.exec(`ALTER TABLE otel_traces DROP COLUMN StitchJobAttempt SETTINGS mutations_sync = 2`);
    await c.store.exec(`ALTER TABLE otel_traces ADD PROJECTION stitch_by_tenant (SELECT * ORDER BY StitchTenantId, Timestamp)`);
    await c.store.exec(`ALTER TABLE otel_traces MATERIALIZE PROJECTION stitch_by_tenant SETTINGS mutations_sync = 2`);
    await migrateStore(c.store);
    expect(await usesProjection()).toBe(true);
    await revertStoreMigration(c.store);
  });
});
