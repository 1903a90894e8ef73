import { RetriesResponseSchema, SpanAttr, type RetriesResponse } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest, type SpanSpec } from '../internal/otlp-json-builder.js';
import { webhookAttemptSpan } from '../internal/kernel-span-specs.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

// Spans shaped as packages/kernel writes them (webhooks/webhooks.ts, jobs/job-attempt.ts and
// jobs.ts, events/event-consumer.ts): the same names, kinds and attributes.
// failure-questions-kernel.test.ts asks the same question of the kernel's own export.
const A = '77777777-7777-4777-8777-777777777777';
const B = '88888888-8888-4888-8888-888888888888';
let c: TestCollector;
let t0: number;

function webhookAttempt(endpoint: string, tenantId: string, attempt: number, httpStatus: number, atMillis: number): SpanSpec {
  return webhookAttemptSpan({ endpoint, tenantId, attempt, httpStatus, atMillis });
}

/** A request that enqueued `name`, then its attempts in the request's trace, children of the enqueue span. */
function jobInRequest(name: string, tenantId: string, outcomes: ('ok' | string)[], atMillis: number): SpanSpec[] {
  const traceId = newTraceId();
  const root = newSpanId();
  const enqueue = newSpanId();
  const entry = { [SpanAttr.tenantId]: tenantId, [SpanAttr.entryKind]: 'http', [SpanAttr.entryRoute]: '/invoices' };
  return [
    { traceId, spanId: root, name: 'POST /invoices', kind: 2, startMillis: atMillis, durationMillis: 30, attributes: { ...entry, [SpanAttr.routeId]: '/invoices' } },
    { traceId, spanId: enqueue, parentSpanId: root, name: `enqueue ${name}`, kind: 4, startMillis: atMillis, durationMillis: 2, attributes: { ...entry, [SpanAttr.jobName]: name, [SpanAttr.runId]: `run-${traceId}` } },
    ...outcomes.map((outcome, i) => ({
      traceId,
      parentSpanId: enqueue,
      name: `job ${name}`,
      kind: 5,
      startMillis: atMillis + 100 + i * 100,
      durationMillis: 10,
      ...(outcome !== 'ok' && { statusCode: 2, statusMessage: outcome }),
      attributes: { ...entry, [SpanAttr.component]: 'job', [SpanAttr.jobName]: name, [SpanAttr.runId]: `run-${traceId}`, [SpanAttr.jobAttempt]: i + 1 },
    })),
  ];
}

/** One delivery of an event to a consumer: the `process_event` root span. */
function delivery(consumer: string, eventType: string, eventId: string, tenantId: string, atMillis: number, failure?: string, outcome?: string): SpanSpec {
  return {
    traceId: newTraceId(),
    name: 'process_event',
    kind: 5,
    startMillis: atMillis,
    durationMillis: 5,
    ...(failure !== undefined && { statusCode: 2, statusMessage: failure }),
    attributes: {
      [SpanAttr.eventId]: eventId,
      [SpanAttr.eventType]: eventType,
      'messaging.consumer.group.name': consumer,
      'messaging.operation.type': 'process',
      [SpanAttr.tenantId]: tenantId,
      ...(outcome !== undefined && { 'stitch.event.outcome': outcome }),
    },
  };
}

beforeAll(async () => {
  c = await startTestCollector();
  t0 = Date.now() - 120_000;
  const spans: SpanSpec[] = [
    // A busy healthy endpoint: many first attempts, all 200, two tenants.
    ...Array.from({ length: 30 }, (_, i) => webhookAttempt('ep-busy', i % 2 === 0 ? A : B, 1, 200, t0 + i * 10)),
    // The storm: one delivery, 5 retries, every attempt failing.
    ...[1, 2, 3, 4, 5, 6].map((n) => webhookAttempt('ep-storm', A, n, 503, t0 + 1000 + n * 100)),
    // A job failing twice then succeeding, in two requests of tenant B: 4 retries, 4 of 6 failing.
    ...jobInRequest('invoice.render', B, ['pdf renderer timeout', 'pdf renderer timeout', 'ok'], t0 + 3000),
    ...jobInRequest('invoice.render', B, ['pdf renderer timeout', 'pdf renderer timeout (attempt 2)', 'ok'], t0 + 4000),
    // A busy healthy job: many single attempts.
    ...Array.from({ length: 20 }, (_, i) => jobInRequest('report.nightly', A, ['ok'], t0 + 5000 + i * 10)).flat(),
    // A consumer that keeps failing on one event (5 deliveries), handles another once.
    ...[0, 1, 2, 3, 4].map((n) => delivery('order-notifier', 'order.paid', 'evt-1', A, t0 + 6000 + n * 50, 'smtp refused')),
    delivery('order-notifier', 'order.paid', 'evt-2', A, t0 + 6500),
    // Events of other types the consumer is handed and skips are not its retries.
    ...[0, 1, 2].map((n) => delivery('order-notifier', 'user.created', 'evt-3', A, t0 + 6600 + n, undefined, 'skipped-type')),
  ];
  const res = await postOtlpJson(c.url, 'traces', tracesRequest('shop', spans));
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await c.stop();
});

async function ask(query: string, token = c.token('traces:read')): Promise<RetriesResponse> {
  const res = await c.get(`/api/retries${query}`, token);
  expect(res.status).toBe(200);
  return RetriesResponseSchema.parse(await res.json());
}

describe('stitch retries', () => {
  it('lists every retry loop of every kind, ranked by retries then failure ratio; busy healthy endpoints and jobs come last', async () => {
    const { loops } = await ask('?since=1h');
    expect(loops.map((l) => [l.kind, l.name, l.eventType])).toEqual([
      ['webhook', 'ep-storm', null],
      // As many retries as the job, but 5 of 6 deliveries failed against the job's 4 of 6.
      ['consumer', 'order-notifier', 'order.paid'],
      ['job', 'invoice.render', null],
      ['webhook', 'ep-busy', null],
      ['job', 'report.nightly', null],
    ]);
    expect(loops[0]).toMatchObject({ attempts: 6, retries: 5, failures: 6, failureRatio: 1, maxAttempt: 6, lastError: 'HTTP 503', tenants: [{ tenantId: A, attempts: 6, retries: 5 }] });
    expect(loops[0]?.firstTime).toBe(new Date(t0 + 1100).toISOString());
    expect(loops[0]?.lastTime).toBe(new Date(t0 + 1600).toISOString());
    // The enqueue spans carry the job's name but are not attempts.
    expect(loops[1]).toMatchObject({ attempts: 6, retries: 4, failures: 5, maxAttempt: 5, lastError: 'smtp refused', tenants: [{ tenantId: A, attempts: 6, retries: 4 }] });
    expect(loops[2]).toMatchObject({ attempts: 6, retries: 4, failures: 4, maxAttempt: 3, lastError: 'pdf renderer timeout (attempt 2)', tenants: [{ tenantId: B, attempts: 6, retries: 4 }] });
    expect(loops[2]?.exampleTraceIds).toHaveLength(2);
    expect(loops[3]).toMatchObject({ attempts: 30, retries: 0, failures: 0, failureRatio: 0, lastError: null });
    expect(loops[3]?.tenants.map((t) => t.tenantId).sort()).toEqual([A, B].sort());
  });

  it('shows a tenant-bound token only its tenant’s loops and attempts', async () => {
    const { loops } = await ask('?since=1h', c.token('traces:read', A));
    expect(loops.map((l) => l.name)).toEqual(['ep-storm', 'order-notifier', 'report.nightly', 'ep-busy']);
    expect(loops.find((l) => l.name === 'ep-busy')).toMatchObject({ attempts: 15, tenants: [{ tenantId: A, attempts: 15, retries: 0 }] });
  });

  it('answers for the window only, and as many rows as --limit asks', async () => {
    expect((await ask(`?since=${new Date(t0 + 2000).toISOString()}`)).loops.map((l) => l.name)).not.toContain('ep-storm');
    expect((await ask('?since=1h&limit=2')).loops.map((l) => l.name)).toEqual(['ep-storm', 'order-notifier']);
  });

  it('refuses a bad limit with a 400 naming it, and the CLI with a usage error, and still answers afterwards', async () => {
    const res = await c.get('/api/retries?limit=0', c.token('traces:read'));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('limit');
    let err = '';
    const code = await runCli(['retries', '--limit', 'lots', '--url', c.url, '--token', c.token('traces:read')], { stdout: () => undefined, stderr: (t) => (err += t), env: {} });
    expect(code).toBe(2);
    expect(err).toContain('--limit must be a positive whole number');
    expect((await ask('?since=1h')).loops[0]?.name).toBe('ep-storm');
  });

  it('prints the culprit first in the CLI table, with its kind, retries, failure ratio and tenant', async () => {
    let out = '';
    const code = await runCli(['retries', '--since', '1h', '--url', c.url, '--token', c.token('traces:read')], { stdout: (t) => (out += t), stderr: () => undefined, env: {} });
    expect(code).toBe(0);
    const [header, first, second] = out.split('\n');
    expect(header).toMatch(/^KIND\s+NAME\s+RETRIES\s+ATTEMPTS\s+FAILURES\s+FAIL %/);
    expect(first).toMatch(/^webhook\s+ep-storm\s+5\s+6\s+6\s+100\s/);
    expect(first).toContain(`${A}×6`);
    expect(second).toMatch(/^consumer\s+order-notifier <- order\.paid\s+4\s+6\s+5\s+83\s/);
  });
});
