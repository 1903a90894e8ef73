import { JobOriginResponseSchema, SpanAttr } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest, type SpanSpec } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

// Rows shaped like packages/kernel/src/jobs: the request's server span, its `enqueue <name>`
// producer span (same trace, job name and run id, no parent-trace attribute), then the attempts:
// in the request's trace as children of the enqueue span, or in their own trace with a link.
const TENANT = '33333333-3333-4333-8333-333333333333';
let c: TestCollector;
let admin: string;

function kernelRequest(t: number, label: string, runId: string): { traceId: string; spans: SpanSpec[]; enqueueSpanId: string } {
  const traceId = newTraceId();
  const rootId = newSpanId();
  const enqueueSpanId = newSpanId();
  const tenant = { [SpanAttr.tenantId]: TENANT };
  return {
    traceId,
    enqueueSpanId,
    spans: [
      { traceId, spanId: rootId, name: 'POST /invoices', kind: 2, startMillis: t, durationMillis: 30, attributes: { ...tenant, [SpanAttr.routeId]: '/invoices', [SpanAttr.requestId]: `req-${label}` } },
      // Same millisecond as the root: the SDK's start times tie.
      { traceId, spanId: enqueueSpanId, parentSpanId: rootId, name: 'enqueue invoice.render', kind: 4, startMillis: t, durationMillis: 2, attributes: { ...tenant, [SpanAttr.jobName]: 'invoice.render', [SpanAttr.runId]: runId, [SpanAttr.messagingSystem]: 'bullmq' } },
    ],
  };
}

function attempt(traceId: string, parentSpanId: string | undefined, t: number, runId: string, jobId: string, parent: { traceId: string; requestId: string } | null, failed: boolean): SpanSpec {
  return {
    traceId,
    ...(parentSpanId !== undefined && { parentSpanId }),
    name: 'job invoice.render',
    kind: 5,
    startMillis: t,
    durationMillis: 10,
    ...(failed && { statusCode: 2, statusMessage: 'boom' }),
    attributes: {
      [SpanAttr.tenantId]: TENANT,
      [SpanAttr.jobName]: 'invoice.render',
      [SpanAttr.jobId]: jobId,
      [SpanAttr.runId]: runId,
      ...(parent && { [SpanAttr.parentTraceId]: parent.traceId, [SpanAttr.parentRequestId]: parent.requestId }),
    },
  };
}

const inTrace = kernelRequest(Date.now() - 60_000, 'in-trace', 'run-in-trace');
const ownTrace = kernelRequest(Date.now() - 50_000, 'own-trace', 'run-own-trace');
const pending = kernelRequest(Date.now() - 40_000, 'pending', 'run-pending');
const ownTraceId = newTraceId();
const cronTraceId = newTraceId();

beforeAll(async () => {
  c = await startTestCollector();
  admin = c.token('admin');
  const t = Date.now() - 30_000;
  const spans: SpanSpec[] = [
    ...inTrace.spans,
    // A retry: two attempts, the first failing, both children of the enqueue span.
    attempt(inTrace.traceId, inTrace.enqueueSpanId, t, 'run-in-trace', 'job-in-trace', { traceId: inTrace.traceId, requestId: 'req-in-trace' }, true),
    attempt(inTrace.traceId, inTrace.enqueueSpanId, t + 100, 'run-in-trace', 'job-in-trace', { traceId: inTrace.traceId, requestId: 'req-in-trace' }, false),
    // Another job of the same request, which ran first and succeeded.
    attempt(inTrace.traceId, inTrace.enqueueSpanId, t - 50, 'run-ok-first', 'job-ok-first', { traceId: inTrace.traceId, requestId: 'req-in-trace' }, false),
    ...ownTrace.spans,
    { ...attempt(ownTraceId, undefined, t + 200, 'run-own-trace', 'job-own-trace', { traceId: ownTrace.traceId, requestId: 'req-own-trace' }, false), links: [{ traceId: ownTrace.traceId, spanId: ownTrace.enqueueSpanId }] },
    // Enqueued, not yet run: only the enqueue span is there.
    ...pending.spans,
    // Enqueued outside any request: no enqueue span, no parent.
    attempt(cronTraceId, undefined, t + 300, 'run-cron', 'job-cron', null, false),
  ];
  const res = await postOtlpJson(c.url, 'traces', tracesRequest('invoices', spans));
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await c.stop();
});

async function origin(id: string) {
  const res = await c.get(`/api/jobs/${id}/origin`, admin);
  expect(res.status).toBe(200);
  return JobOriginResponseSchema.parse(await res.json());
}

describe('job --origin on kernel-shaped spans', () => {
  it('finds the request of a retried job run in the request’s trace, by run id or job id', async () => {
    for (const id of ['run-in-trace', 'job-in-trace']) {
      const j = await origin(id);
      expect(j.origin).toMatchObject({ traceId: inTrace.traceId, name: 'POST /invoices', route: '/invoices', tenantId: TENANT, requestId: 'req-in-trace' });
      expect(j.parentRequestId).toBe('req-in-trace');
    }
    // The enqueue span, then the failed attempt and its retry: each row says which it is.
    expect((await origin('run-in-trace')).runs.map((r) => [r.role, r.statusCode])).toEqual([['enqueue', 0], ['attempt', 2], ['attempt', 0]]);
  });

  it('request --jobs lists the request’s job attempts, the failed one first, then in the order they ran', async () => {
    const res = await c.get(`/api/requests/${inTrace.traceId}/jobs`, admin);
    expect(res.status).toBe(200);
    const { jobs } = (await res.json()) as { jobs: { runId: string; statusCode: number }[] };
    expect(jobs.map((j) => [j.runId, j.statusCode])).toEqual([['run-in-trace', 2], ['run-ok-first', 0], ['run-in-trace', 0]]);
  });

  it('finds the request of a job run in its own trace (another process, linked back)', async () => {
    const j = await origin('run-own-trace');
    expect(j.origin).toMatchObject({ traceId: ownTrace.traceId, route: '/invoices', requestId: 'req-own-trace' });
  });

  it('finds the request from the enqueue span alone before any attempt is exported', async () => {
    const j = await origin('run-pending');
    expect(j.origin).toMatchObject({ traceId: pending.traceId, route: '/invoices', tenantId: TENANT, requestId: 'req-pending' });
  });

  it('answers none for a job enqueued outside any request', async () => {
    const j = await origin('run-cron');
    expect(j.origin).toBeNull();
    expect(j.parentTraceId).toBeNull();
  });
});
