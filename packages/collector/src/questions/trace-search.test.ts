import { SpanAttr, TraceSearchResponseSchema } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const TENANT = '44444444-4444-4444-8444-444444444444';
const tied = newTraceId();
const orphan = newTraceId();
let c: TestCollector;

beforeAll(async () => {
  c = await startTestCollector();
  const t = Date.now() - 10_000;
  const rootId = newSpanId();
  const tenant = { [SpanAttr.tenantId]: TENANT };
  // Children first and in the same millisecond as the root, as the kernel's SDK exports them.
  const spans = [
    { traceId: tied, parentSpanId: rootId, name: 'orders.by_id', kind: 3, startMillis: t, durationMillis: 5, attributes: tenant },
    { traceId: tied, parentSpanId: rootId, name: 'outbox.add', kind: 1, startMillis: t, durationMillis: 1, attributes: tenant },
    { traceId: tied, spanId: rootId, name: 'GET /orders/:id', kind: 2, startMillis: t, durationMillis: 9, attributes: { ...tenant, [SpanAttr.routeId]: '/orders/:id' } },
    // A trace whose root is not exported: the earliest span names it.
    { traceId: orphan, parentSpanId: newSpanId(), name: 'late.child', startMillis: t + 5, durationMillis: 1, attributes: tenant },
    { traceId: orphan, parentSpanId: newSpanId(), name: 'first.child', startMillis: t + 1, durationMillis: 1, attributes: tenant },
  ];
  const res = await postOtlpJson(c.url, 'traces', tracesRequest('shop', spans));
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await c.stop();
});

describe('trace search roots', () => {
  it('names the parentless span as the root when a child starts in the same millisecond', async () => {
    const res = await c.get('/api/traces', c.token('traces:read'));
    expect(res.status).toBe(200);
    const byId = new Map(TraceSearchResponseSchema.parse(await res.json()).traces.map((tr) => [tr.traceId, tr]));
    expect(byId.get(tied)).toMatchObject({ rootName: 'GET /orders/:id', rootService: 'shop', route: '/orders/:id' });
    expect(byId.get(orphan)?.rootName).toBe('first.child');
  });
});

describe('trace search, newest first', () => {
  it('orders a trace that began long before its latest span by its first span, also when it ends among the newest', async () => {
    const Z = '45454545-4545-4545-8545-454545454545';
    const now = Date.now();
    const [long, recent, newest] = [newTraceId(), newTraceId(), newTraceId()];
    const rootId = newSpanId();
    const tenant = { [SpanAttr.tenantId]: Z };
    // The long trace's root ten minutes ago, its last span a minute ago: between the two newest.
    const spans = [
      { traceId: long, spanId: rootId, name: 'job export', kind: 5, startMillis: now - 10 * 60_000, durationMillis: 9 * 60_000, attributes: tenant },
      { traceId: long, parentSpanId: rootId, name: 'export.flush', kind: 1, startMillis: now - 60_000, durationMillis: 5, attributes: tenant },
      { traceId: recent, name: 'GET /a', kind: 2, startMillis: now - 2 * 60_000, durationMillis: 5, attributes: tenant },
      { traceId: newest, name: 'GET /b', kind: 2, startMillis: now - 30_000, durationMillis: 5, attributes: tenant },
    ];
    expect((await postOtlpJson(c.url, 'traces', tracesRequest('shop', spans))).status).toBe(200);
    const page = async (limit: number) => TraceSearchResponseSchema.parse(await (await c.get(`/api/traces?since=1h&limit=${limit}`, c.token('traces:read', Z))).json());

    expect((await page(10)).traces.map((tr) => tr.traceId)).toEqual([newest, recent, long]);
    expect(await page(2)).toMatchObject({ truncated: true, traces: [{ traceId: newest }, { traceId: recent }] });
    expect(await page(1)).toMatchObject({ truncated: true, traces: [{ traceId: newest }] });
    // Whole: its first span's start and all of its spans.
    expect((await page(10)).traces[2]).toMatchObject({ spanCount: 2, startTime: new Date(now - 10 * 60_000).toISOString() });
  });
});
