import { SpanAttr } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest, type SpanSpec } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';
import { askErrors } from './errors.js';
import { tableFor } from './engine-sql.js';
import { askQueriesTop } from './queries-top.js';
import type { QueryScope } from './query-scope.js';
import { askTraceSearch } from './trace-search.js';

// What the kernel exports for one request whose job fails twice: the request and the first
// attempt in one batch (in-process, held by the tail sampler until the request ended), the
// second attempt minutes later, alone, from a worker process. Issue 11: without the entry the
// second attempt lost its route and `stitch errors` showed the failure twice.

const TENANT = '66666666-6666-4666-8666-666666666666';
const ROUTE = '/orders/:id';
const request = newTraceId();
const bookkeepingOnly = newTraceId();
const serverSpanId = newSpanId();
const enqueueSpanId = newSpanId();
const t0 = Date.now() - 60_000;
let c: TestCollector;
let scope: QueryScope;

const carried = { [SpanAttr.tenantId]: TENANT, [SpanAttr.entryKind]: 'http', [SpanAttr.entryRoute]: ROUTE };
const attempt = (n: number, startMillis: number): SpanSpec => ({
  traceId: request,
  parentSpanId: enqueueSpanId,
  name: 'job invoice.render',
  kind: 5,
  startMillis,
  durationMillis: 4,
  statusCode: 2,
  statusMessage: 'card declined',
  attributes: { ...carried, [SpanAttr.component]: 'job', [SpanAttr.jobName]: 'invoice.render', [SpanAttr.jobAttempt]: n },
});

async function post(service: string, spans: SpanSpec[]): Promise<void> {
  const res = await postOtlpJson(c.url, 'traces', tracesRequest(service, spans));
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  c = await startTestCollector();
  await post('shop', [
    { traceId: request, spanId: serverSpanId, name: `POST ${ROUTE}`, kind: 2, startMillis: t0, durationMillis: 20, attributes: { [SpanAttr.tenantId]: TENANT, [SpanAttr.routeId]: ROUTE } },
    { traceId: request, spanId: enqueueSpanId, parentSpanId: serverSpanId, name: 'enqueue invoice.render', kind: 4, startMillis: t0 + 2, durationMillis: 1, attributes: carried },
    attempt(1, t0 + 5),
  ]);
  // The second attempt, alone in its batch, from the worker.
  await post('worker', [attempt(2, t0 + 30_000)]);
  // A span of a service without the kernel, exported apart from its trace: it carries no entry,
  // so the trace's stored server span names it.
  await post('legacy', [
    { traceId: request, parentSpanId: serverSpanId, name: 'GET /inventory', kind: 3, startMillis: t0 + 40_000, durationMillis: 3, statusCode: 2, statusMessage: 'inventory down', attributes: { [SpanAttr.tenantId]: TENANT } },
  ]);
  // The kernel's bookkeeping: a run record write in the request's trace, and a trace made of
  // nothing else (an outbox lag probe), which failed.
  const housekeeping = { [SpanAttr.housekeeping]: true, [SpanAttr.component]: 'query' };
  await post('worker', [
    { traceId: request, parentSpanId: enqueueSpanId, name: 'INSERT stitch.job_runs', kind: 3, startMillis: t0 + 30_001, durationMillis: 900, attributes: { ...carried, ...housekeeping, [SpanAttr.dbStatement]: 'INSERT INTO stitch.job_runs VALUES ($1)' } },
    { traceId: bookkeepingOnly, name: 'SELECT stitch.outbox_events', kind: 3, startMillis: t0 + 31_000, durationMillis: 800, statusCode: 2, statusMessage: 'connection reset', attributes: { ...housekeeping, [SpanAttr.dbStatement]: 'SELECT count(*) FROM stitch.outbox_events WHERE sent_at IS NULL' } },
  ]);
  const now = BigInt(Date.now()) * 1_000_000n;
  scope = { tenantId: null, sinceNanos: now - 3_600_000_000_000n, untilNanos: now, window: { since: '', until: '' } };
});
afterAll(async () => {
  await c.stop();
});

describe('late spans keep their entry', () => {
  it('a job attempt exported alone, after its request, is counted under the request’s route with the first attempt: one row, not two', async () => {
    const { groups } = await askErrors(c.store, scope, { limit: 50 });
    const job = groups.filter((g) => g.step === 'job invoice.render');
    expect(job).toHaveLength(1);
    expect(job[0]).toMatchObject({ entryKind: 'http', entry: ROUTE, count: 2, tenants: [{ tenantId: TENANT, count: 2 }] });
    expect(groups.some((g) => g.entry === null)).toBe(false);
  });

  it('stores the carried entry on the late span itself, and the batch-found one on its neighbours', async () => {
    const rows = await c.store.query(`SELECT name, entry_kind, entry_route FROM ${tableFor(c.store, 'spans')} WHERE trace_id = $t AND service <> 'legacy' ORDER BY start_ns, name`, { t: request });
    expect(rows.map((r) => [r.name, r.entry_kind, r.entry_route])).toEqual([
      [`POST ${ROUTE}`, 'http', ROUTE],
      ['enqueue invoice.render', 'http', ROUTE],
      ['job invoice.render', 'http', ROUTE],
      ['job invoice.render', 'http', ROUTE],
      ['INSERT stitch.job_runs', 'http', ROUTE],
    ]);
  });

  it('a span of another service exported apart from its trace falls back to the trace’s stored server span', async () => {
    const { groups } = await askErrors(c.store, scope, { limit: 50 });
    expect(groups.find((g) => g.step === 'GET /inventory')).toMatchObject({ entry: ROUTE, count: 1 });
  });
});

describe('the kernel’s housekeeping', () => {
  it('is left out of queries --top unless asked for', async () => {
    const statements = async (includeHousekeeping?: boolean) =>
      (await askQueriesTop(c.store, scope, 20, { ...(includeHousekeeping !== undefined && { includeHousekeeping }) })).queries.map((q) => q.statement);
    expect(await statements()).toEqual([]);
    expect((await statements(true)).sort()).toEqual(['INSERT INTO stitch.job_runs VALUES ($1)', 'SELECT count(*) FROM stitch.outbox_events WHERE sent_at IS NULL']);
  });

  it('hides a trace made only of bookkeeping from search unless asked for, and keeps a request trace that has some', async () => {
    const traces = async (includeHousekeeping: boolean) =>
      (await askTraceSearch(c.store, scope, { limit: 100, includeHousekeeping })).traces.map((tr) => tr.traceId).sort();
    expect(await traces(false)).toEqual([request]);
    expect(await traces(true)).toEqual([request, bookkeepingOnly].sort());
  });

  it('keeps a failing bookkeeping statement out of errors unless asked for', async () => {
    const steps = async (includeHousekeeping: boolean) => (await askErrors(c.store, scope, { limit: 50, includeHousekeeping })).groups.map((g) => g.step);
    expect(await steps(false)).not.toContain('SELECT stitch.outbox_events');
    expect(await steps(true)).toContain('SELECT stitch.outbox_events');
  });
});
