import { LegacyAttr, SpanAttr, QueriesTopResponseSchema } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest, type SpanSpec } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const A = '11111111-1111-4111-8111-111111111111';
const MINUTE = 60_000;
let c: TestCollector;
let now: number;

function query(name: string, startMillis: number, durationMillis: number, extra: Record<string, string | number | boolean> = {}): SpanSpec {
  return {
    traceId: newTraceId(),
    spanId: newSpanId(),
    name,
    kind: 3,
    startMillis,
    durationMillis,
    attributes: { [SpanAttr.tenantId]: A, [SpanAttr.queryName]: name, [SpanAttr.dbStatement]: `select /* ${name} */ 1`, [SpanAttr.component]: 'query', ...extra },
  };
}

/** The span as a kernel before issue 13 wrote it: the caller's query name under `db.query.name`. */
function olderKernel(span: SpanSpec): SpanSpec {
  const { [SpanAttr.queryName]: name, ...rest } = span.attributes ?? {};
  return { ...span, attributes: { ...rest, ...(name !== undefined && { [LegacyAttr.queryName]: name }) } };
}

beforeAll(async () => {
  c = await startTestCollector();
  now = Date.now();
  const spans: SpanSpec[] = [];
  // Always expensive: 40 × 50 ms in the last 30 minutes and 40 × 50 ms in the 30 before, those
  // from a kernel before the current conventions (`db.query.name`): the same query all the same.
  for (let i = 0; i < 40; i++) spans.push(olderKernel(query('reports.heavy', now - 59 * MINUTE + i * 30_000, 50)), query('reports.heavy', now - 29 * MINUTE + i * 30_000, 50));
  // The spike: 2 ms before, 60 ms in the window (less total than reports.heavy, but it grew).
  for (let i = 0; i < 20; i++) spans.push(query('orders.by_tenant', now - 59 * MINUTE + i * 60_000, 2), query('orders.by_tenant', now - 29 * MINUTE + i * 60_000, 60));
  // The kernel's own bookkeeping, spiking too: left out unless asked.
  for (let i = 0; i < 20; i++) spans.push(query('stitch.outbox.purge', now - 20 * MINUTE + i * 30_000, 500, { [SpanAttr.housekeeping]: true }));
  // A migration in the window: named as the SDKs summarize an unnamed statement, and one with
  // only its statement. One-off schema changes, not the spike: left out unless asked.
  const migration = (summary: string | undefined, statement: string): SpanSpec => ({
    traceId: newTraceId(),
    spanId: newSpanId(),
    name: summary ?? 'pg.query',
    kind: 3,
    startMillis: now - 10 * MINUTE,
    durationMillis: 900,
    attributes: { [SpanAttr.tenantId]: A, [SpanAttr.dbStatement]: statement, [SpanAttr.component]: 'query', ...(summary !== undefined && { [SpanAttr.querySummary]: summary }) },
  });
  spans.push(migration('CREATE app.orders', '\n  CREATE TABLE IF NOT EXISTS app.orders (id serial)'), migration(undefined, 'alter table app.orders add column note text'));
  expect((await postOtlpJson(c.url, 'traces', tracesRequest('svc', spans))).status).toBe(200);
});
afterAll(async () => {
  await c.stop();
});

async function top(query: string): Promise<ReturnType<typeof QueriesTopResponseSchema.parse>> {
  const res = await c.get(`/api/queries/top?${query}`, c.token('traces:read'));
  expect(res.status).toBe(200);
  return QueriesTopResponseSchema.parse(await res.json());
}

describe('queries --top: which query caused the spike', () => {
  it('ranks the query whose time grew against the window before first, not the one that is always expensive', async () => {
    const q = await top('since=30m');
    expect(q.queries.map((r) => r.queryName)).toEqual(['orders.by_tenant', 'reports.heavy']);
    expect(q.queries[0]).toMatchObject({ count: 20, totalMs: 1200, baselineCount: 20, baselineTotalMs: 40, growthMs: 1160 });
    expect(q.queries[1]).toMatchObject({ totalMs: 2000, baselineTotalMs: 2000, growthMs: 0 });
    expect(Date.parse(q.baseline.until)).toBe(Date.parse(q.window.since));
    expect(Date.parse(q.window.since) - Date.parse(q.baseline.since)).toBe(Date.parse(q.window.until) - Date.parse(q.window.since));
  });

  it('compares the last hour with the hour before when no window is given', async () => {
    const q = await top('');
    expect(Date.parse(q.window.until) - Date.parse(q.window.since)).toBe(60 * MINUTE);
    // Both windows of the data fall inside the last hour: no growth against the empty hour before.
    expect(q.queries.every((r) => r.baselineCount === 0 && r.growthMs === r.totalMs)).toBe(true);
  });

  it('leaves schema changes (CREATE, ALTER, …) out unless asked', async () => {
    const isSchemaChange = (r: { queryName: string | null; statement: string | null }): boolean => /CREATE|alter/.test(`${r.queryName ?? ''} ${r.statement ?? ''}`);
    expect((await top('since=30m')).queries.filter(isSchemaChange)).toEqual([]);
    const asked = await top('since=30m&ddl=true');
    expect(asked.queries.filter(isSchemaChange).map((r) => r.queryName ?? r.statement)).toEqual(['CREATE app.orders', 'alter table app.orders add column note text']);
  });

  it('leaves the kernel’s housekeeping statements out unless asked', async () => {
    expect((await top('since=30m')).queries.some((r) => r.queryName === 'stitch.outbox.purge')).toBe(false);
    expect((await top('since=30m&housekeeping=true')).queries[0]?.queryName).toBe('stitch.outbox.purge');
  });
});
