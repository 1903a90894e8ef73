import { createHash } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { currentContext, runInNewContext } from '../../core/context/context-store.js';
import { applySemconvOptIn } from '../../core/tracing/semconv-opt-in.js';
import { loadConfig } from '../../setup/config/load-config.js';
import { startStitch } from '../../setup/start-stitch.js';
import { withoutStrictMode } from '../../setup/config/strict-mode.js';
import { inProcessJobEngine } from './in-process-engine.js';
import { runJobAttempt } from './job-attempt.js';
import { createJobs } from './jobs.js';
import { createMemoryRunStore } from './memory-run-store.js';
import { traceIdForRun } from './run-id.js';

const exporter = new InMemorySpanExporter();
const warnings: Record<string, unknown>[] = [];
const stitch = startStitch({
  serviceName: 'jobs-test',
  spanProcessors: [new SimpleSpanProcessor(exporter)],
  tracing: { budgets: { overrides: { job: { slow: 1 } } } },
  logger: { warn: (fields) => warnings.push(fields) },
});
afterAll(() => stitch.shutdown());
beforeEach(() => exporter.reset());

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';

function setup(options: Omit<Parameters<typeof createJobs>[0], 'engine'> = {}) {
  const engine = inProcessJobEngine();
  const runs = createMemoryRunStore();
  const jobs = createJobs({ engine, runs, defaults: { backoffMillis: 1 }, ...options });
  return { engine, runs, jobs };
}

describe('jobs over the in-process runner', () => {
  it('a job enqueued in a request runs in that request’s trace, with its tenant in currentContext()', async () => {
    const { engine, jobs } = setup();
    const seen: { traceId: string; tenantId: string | undefined; runId: string | undefined }[] = [];
    await jobs.worker<{ n: number }>('invoice.render', () => {
      const ctx = currentContext();
      seen.push({ traceId: ctx.traceId, tenantId: ctx.tenantId, runId: ctx.runId });
    });
    const request = await runInNewContext({ name: 'POST /invoices', tenantId: TENANT_A, requestId: 'req-000001' }, async () => {
      const enqueued = await jobs.enqueue('invoice.render', { n: 1 });
      return { ...enqueued, traceId: currentContext().traceId };
    });
    await engine.idle();

    expect(seen).toEqual([{ traceId: request.traceId, tenantId: TENANT_A, runId: request.runId }]);
    const jobSpan = exporter.getFinishedSpans().find((s) => s.name === 'job invoice.render');
    expect(jobSpan?.kind).toBe(SpanKind.CONSUMER);
    expect(jobSpan?.spanContext().traceId).toBe(request.traceId);
    expect(jobSpan?.attributes).toMatchObject({
      'stitch.component': 'job',
      'stitch.job.name': 'invoice.render',
      'stitch.run_id': request.runId,
      'stitch.job.attempt': 1,
      'stitch.parent.trace_id': request.traceId,
      'stitch.parent.request_id': 'req-000001',
      'tenant.id': TENANT_A,
    });
    const enqueueSpan = exporter.getFinishedSpans().find((s) => s.name === 'enqueue invoice.render');
    expect(jobSpan?.parentSpanContext?.spanId).toBe(enqueueSpan?.spanContext().spanId);
    // Current messaging conventions on both ends, with the engine's job id as the message id.
    const messaging = { 'messaging.system.name': 'in-process', 'messaging.destination.name': 'invoice.render', 'messaging.message.id': request.runId };
    expect(enqueueSpan?.attributes).toMatchObject(messaging);
    expect(jobSpan?.attributes).toMatchObject(messaging);
    expect(jobSpan?.attributes).not.toHaveProperty('messaging.system');
    await jobs.close();
  });

  it('writes the deprecated messaging.system beside messaging.system.name only under OTEL_SEMCONV_STABILITY_OPT_IN=messaging/dup', async () => {
    const { engine, jobs } = setup();
    await jobs.worker('dup.probe', () => undefined);
    // What startStitch hands the hops from the config the loader read.
    applySemconvOptIn(loadConfig({ env: { OTEL_SEMCONV_STABILITY_OPT_IN: 'messaging/dup' } }).semconv.stabilityOptIn);
    try {
      await runInNewContext({ name: 'req', tenantId: TENANT_A }, () => jobs.enqueue('dup.probe', {}));
      await engine.idle();
    } finally {
      applySemconvOptIn([]);
    }
    for (const name of ['enqueue dup.probe', 'job dup.probe']) {
      expect(exporter.getFinishedSpans().find((s) => s.name === name)?.attributes).toMatchObject({ 'messaging.system.name': 'in-process', 'messaging.system': 'in-process' });
    }
    await jobs.close();
  });

  it('retries keep the same trace with one span per attempt, and the run records say how each ended', async () => {
    const { engine, jobs } = setup();
    let calls = 0;
    await jobs.worker('flaky', () => {
      calls += 1;
      if (calls < 3) throw new TypeError(`boom ${calls}`);
    });
    const { runId, traceId } = await runInNewContext({ name: 'req', tenantId: TENANT_A }, () => jobs.enqueue('flaky', {}));
    await engine.idle();

    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'job flaky');
    expect(spans.map((s) => s.attributes['stitch.job.attempt'])).toEqual([1, 2, 3]);
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
    const origin = await jobs.origin(runId);
    expect(origin?.attempts.map((a) => [a.attempt, a.outcome, a.errorClass])).toEqual([
      [0, 'enqueued', undefined],
      [1, 'retrying', 'TypeError'],
      [2, 'retrying', 'TypeError'],
      [3, 'succeeded', undefined],
    ]);
    expect(origin?.outcome).toBe('succeeded');
    await jobs.close();
  });

  it('a job that fails every attempt ends as failed with the error, logged once in its context, and the others still run', async () => {
    const logged: { fields: Record<string, unknown>; tenantId: string | undefined }[] = [];
    const logger = { warn: (fields: Record<string, unknown>) => void logged.push({ fields, tenantId: currentContext().tenantId }) };
    const { engine, jobs } = setup({ defaults: { attempts: 2, backoffMillis: 1 }, logger });
    await jobs.worker<{ ok: boolean }>('maybe', ({ ok }) => {
      if (!ok) throw new RangeError('never works');
    });
    // Enqueued as cron does, outside any request: deliberate, so strict mode is told.
    const bad = await withoutStrictMode(() => jobs.enqueue('maybe', { ok: false }, { tenantId: TENANT_B }));
    const good = await withoutStrictMode(() => jobs.enqueue('maybe', { ok: true }));
    await engine.idle();
    const failed = await jobs.origin(bad.runId);
    expect(failed?.outcome).toBe('failed');
    expect(failed?.attempts.at(-1)).toMatchObject({ attempt: 2, errorClass: 'RangeError', errorMessage: 'never works' });
    expect((await jobs.origin(good.runId))?.outcome).toBe('succeeded');
    expect(logged).toEqual([{ fields: expect.objectContaining({ job_name: 'maybe', run_id: bad.runId, attempt: 2 }), tenantId: TENANT_B }]);
    await jobs.close();
  });

  it('a job enqueued outside any request runs in the trace derived from its run id', async () => {
    const { engine, jobs } = setup();
    let inside: { traceId: string; tenantId: string | undefined } | undefined;
    await jobs.worker('cron.cleanup', () => {
      inside = { traceId: currentContext().traceId, tenantId: currentContext().tenantId };
    });
    const { runId, traceId } = await withoutStrictMode(() => jobs.enqueue('cron.cleanup', {}, { tenantId: TENANT_B }));
    await engine.idle();

    expect(traceId).toBe(traceIdForRun(runId));
    expect(inside).toEqual({ traceId, tenantId: TENANT_B });
    const span = exporter.getFinishedSpans().find((s) => s.name === 'job cron.cleanup');
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.parentSpanContext).toBeUndefined();
    const origin = await jobs.origin(runId);
    expect(origin).toMatchObject({ traceId, parentTraceId: undefined, parentRequestId: undefined, tenantId: TENANT_B });
    await jobs.close();
  });

  it('traceIdForRun() is the first 16 bytes of SHA-256 over "stitch-run:<runId>"', () => {
    const runId = '0b6d6c1e-3f4a-4c55-9d0e-2f1f7d8a9b10';
    const expected = createHash('sha256').update(`stitch-run:${runId}`).digest('hex').slice(0, 32);
    expect(traceIdForRun(runId)).toBe(expected);
    expect(traceIdForRun(runId)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a newTrace job starts its own trace linked to the enqueue span, and its record keeps the request', async () => {
    const { engine, jobs } = setup({ byName: { 'report.nightly': { newTrace: true } } });
    await jobs.worker('report.nightly', () => {});
    const request = await runInNewContext({ name: 'req', tenantId: TENANT_A, requestId: 'req-000002' }, async () => ({
      ...(await jobs.enqueue('report.nightly', {}, { delayMillis: 5 })),
      requestTraceId: currentContext().traceId,
    }));
    await engine.idle();

    expect(request.traceId).toBe(traceIdForRun(request.runId));
    const enqueueSpan = exporter.getFinishedSpans().find((s) => s.name === 'enqueue report.nightly');
    const jobSpan = exporter.getFinishedSpans().find((s) => s.name === 'job report.nightly');
    expect(jobSpan?.spanContext().traceId).toBe(request.traceId);
    expect(jobSpan?.links.map((l) => l.context.spanId)).toEqual([enqueueSpan?.spanContext().spanId]);
    expect(await jobs.origin(request.runId)).toMatchObject({ parentTraceId: request.requestTraceId, parentRequestId: 'req-000002' });
    expect((await jobs.triggeredBy(request.requestTraceId)).map((r) => r.runId)).toEqual([request.runId]);
    expect((await jobs.triggeredBy('req-000002')).map((r) => r.runId)).toEqual([request.runId]);
    await jobs.close();
  });

  it('a job for another tenant than the request’s gets its own trace, never the request’s', async () => {
    const { engine, jobs } = setup();
    let inside: string | undefined;
    await jobs.worker('notify', () => {
      inside = currentContext().tenantId;
    });
    const result = await runInNewContext({ name: 'req', tenantId: TENANT_A }, async () => ({
      ...(await jobs.enqueue('notify', {}, { tenantId: TENANT_B })),
      requestTraceId: currentContext().traceId,
    }));
    await engine.idle();
    expect(inside).toBe(TENANT_B);
    expect(result.traceId).not.toBe(result.requestTraceId);
    const span = exporter.getFinishedSpans().find((s) => s.name === 'job notify');
    expect(span?.spanContext().traceId).toBe(result.traceId);
    expect(span?.attributes['tenant.id']).toBe(TENANT_B);
    await jobs.close();
  });

  it('a tenant id outside the rule is refused at enqueue, with nothing sent', async () => {
    const { engine, jobs } = setup();
    let ran = 0;
    await jobs.worker('notify', () => {
      ran += 1;
    });
    for (const tenantId of ['acme\r\nx-admin: 1', 'x'.repeat(129), '']) {
      const enqueue = runInNewContext({ name: 'req', tenantId: TENANT_A }, () => jobs.enqueue('notify', {}, { tenantId }));
      await expect(enqueue).rejects.toMatchObject({ code: 'STITCH_ERR_TENANT_INVALID' });
    }
    await engine.idle();
    expect(ran).toBe(0);
    expect(jobs.stats().byName).toEqual({});
    await jobs.close();
  });

  it('an attempt whose envelope carries a tenant outside the rule (another producer wrote it) fails before its handler runs in that name', async () => {
    const { jobs, runs } = setup();
    let ran = 0;
    const runId = '0b6f2f4e-2b0c-4c1e-9a53-3f0f6b1f1a11';
    const delivery = { message: { payload: {}, stitch: { v: 1 as const, runId, tenantId: 'acme\u202e', enqueuedAtMillis: Date.now() } }, engineJobId: runId, attempt: 1, maxAttempts: 1 };
    const attempt = runJobAttempt('notify', delivery, () => { ran += 1; }, { engine: 'in-process', runs, settings: jobs.settingsFor('notify') });
    await expect(attempt).rejects.toMatchObject({ code: 'STITCH_ERR_TENANT_INVALID' });
    expect(ran).toBe(0);
    expect(await runs.origin(runId)).toBeUndefined();
    await jobs.close();
  });

  it('an attempt over the job budget reports a perf violation with component "job"', async () => {
    const { engine, jobs } = setup();
    await jobs.worker('slow', () => new Promise((resolve) => setTimeout(resolve, 15)));
    const { traceId } = await runInNewContext({ name: 'req', tenantId: TENANT_A }, () => jobs.enqueue('slow', {}));
    await engine.idle();
    const violations = warnings.filter((w) => w.component === 'job');
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ perf_violation: true, component: 'job', name: 'slow', budget_ms: 1, trace_id: traceId, tenant_id: TENANT_A });
    const span = exporter.getFinishedSpans().find((s) => s.name === 'job slow');
    expect(span?.attributes['stitch.perf_violation']).toBe(true);
    expect(span?.events.map((e) => e.name)).toContain('stitch.perf_violation');
    await jobs.close();
  });
});
