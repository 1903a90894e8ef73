import { LogsResponseSchema, TraceResponseSchema } from '@stitch/contract';
import { currentContext, runInNewContext, startStitch, withSpan } from '@stitch/kernel';
import { createPgliteDatabase } from '@stitch/kernel/db/pglite';
import { createOtlpLogStream } from '@stitch/kernel/logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../src/internal/test-collector.js';

const TENANT = '3c3c3c3c-0000-4000-8000-00000000003c';
let c: TestCollector;

beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(async () => {
  await c.stop();
});

describe('the kernel’s own OTLP export into the collector', () => {
  it.each(['http/protobuf', 'http/json'] as const)('%s: spans land with their tenant and parentage', async (protocol) => {
    const stitch = startStitch({
      serviceName: 'kernel-svc',
      env: {},
      tracing: { export: { exporter: 'otlp', protocol, endpoint: `${c.url}/v1/traces` } },
    });
    let traceId = '';
    runInNewContext({ name: 'GET /kernel', tenantId: TENANT, routeId: '/kernel' }, () => {
      traceId = currentContext().traceId;
      withSpan('kernel.child', () => undefined);
    });
    await stitch.shutdown();

    const res = await c.get(`/api/traces/${traceId}`, c.token('traces:read', TENANT));
    expect(res.status).toBe(200);
    const body = TraceResponseSchema.parse(await res.json());
    const names = body.spans.map((s) => s.name);
    expect(names).toContain('kernel.child');
    expect(body.spans.every((s) => s.tenantId === TENANT && s.service === 'kernel-svc')).toBe(true);
    const child = body.spans.find((s) => s.name === 'kernel.child')!;
    expect(child.depth).toBeGreaterThan(0);
  });

  it('query spans: the caller’s name, else the convention’s summary, is the query name the trace view and queries --top show', async () => {
    const stitch = startStitch({
      serviceName: 'kernel-db-svc',
      env: {},
      tracing: { export: { exporter: 'otlp', protocol: 'http/protobuf', endpoint: `${c.url}/v1/traces` } },
    });
    // The kernel's own PGlite wrapper over a stand-in that answers every statement with no
    // rows: the spans are the kernel's, the database is beside the point.
    const pglite = { waitReady: Promise.resolve(), query: () => Promise.resolve({ rows: [], affectedRows: 0, fields: [] }), close: () => Promise.resolve() };
    const db = createPgliteDatabase(pglite as unknown as Parameters<typeof createPgliteDatabase>[0]);
    let traceId = '';
    await runInNewContext({ name: 'GET /orders', tenantId: TENANT, routeId: '/orders' }, async () => {
      traceId = currentContext().traceId;
      await db.query('SELECT * FROM orders WHERE id = $1', [1], { name: 'orders.by_id' });
      await db.query('SELECT count(*) FROM invoices', []);
    });
    await stitch.shutdown();

    const res = await c.get(`/api/traces/${traceId}`, c.token('traces:read', TENANT));
    const body = TraceResponseSchema.parse(await res.json());
    const attrsOf = (statement: string) => body.spans.find((s) => s.attributes['db.query.text'] === statement)?.attributes;
    expect(attrsOf('SELECT * FROM orders WHERE id = $1')).toMatchObject({ 'stitch.query.name': 'orders.by_id', 'db.query.summary': 'SELECT orders' });
    const unnamed = attrsOf('SELECT count(*) FROM invoices');
    expect(unnamed).toMatchObject({ 'db.query.summary': 'SELECT invoices' });
    expect(unnamed).not.toHaveProperty('stitch.query.name');
    expect(unnamed).not.toHaveProperty('db.query.name');

    const top = await c.get(`/api/queries/top?since=1h&tenant=${TENANT}`, c.token('traces:read', TENANT));
    const queries = ((await top.json()) as { queries: { queryName: string | null }[] }).queries.map((q) => q.queryName);
    expect(queries).toEqual(expect.arrayContaining(['orders.by_id', 'SELECT invoices']));
  });

  it('the kernel’s OTLP log stream delivers pino lines that `stitch logs` finds by tenant and trace', async () => {
    const stream = createOtlpLogStream({ serviceName: 'kernel-svc', endpoint: `${c.url}/v1/logs` });
    const traceId = 'ab'.repeat(16);
    stream.write(
      JSON.stringify({ time: Date.now(), level: 30, msg: 'invoice sent', tenant_id: TENANT, trace_id: traceId, span_id: 'cd'.repeat(8), component: 'route' }) + '\n',
    );
    await stream.shutdown();
    const res = await c.get(`/api/logs?trace=${traceId}`, c.token('logs:read', TENANT));
    const body = LogsResponseSchema.parse(await res.json());
    expect(body.logs.map((l) => [l.body, l.tenantId, l.service, l.component])).toEqual([['invoice sent', TENANT, 'kernel-svc', 'route']]);
  });
});
