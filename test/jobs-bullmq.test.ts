import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, runInNewContext } from '../packages/kernel/src/core/context/context-store.js';
import { bullmqJobEngine } from '../packages/kernel/src/hops/jobs/bullmq/index.js';
import { createJobs } from '../packages/kernel/src/hops/jobs/jobs.js';
import { createSqlRunStore } from '../packages/kernel/src/hops/jobs/sql-run-store.js';
import { traceIdForRun } from '../packages/kernel/src/hops/jobs/run-id.js';
import { startStitch } from '../packages/kernel/src/setup/start-stitch.js';
import { withoutStrictMode } from '../packages/kernel/src/setup/config/strict-mode.js';
import { asQueryable, newPool, REDIS, uniqueName } from './helpers/pg-queryable.js';
import { waitForFinalOutcome } from './helpers/jobs.js';

const exporter = new InMemorySpanExporter();
const stitch = startStitch({ serviceName: 'jobs-bullmq-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
const pool = newPool();
const schema = uniqueName('stitch_jobs');
const prefix = uniqueName('stitch-test');
const runs = createSqlRunStore(asQueryable(pool), { schema });
const engine = bullmqJobEngine({ connection: REDIS, prefix });
const jobs = createJobs({ engine, runs, defaults: { backoffMillis: 10 }, byName: { 'report.nightly': { newTrace: true } } });

const TENANT_A = '11111111-1111-4111-8111-111111111111';

beforeAll(() => runs.migrate());
afterAll(async () => {
  const names = engine.queueNames();
  await jobs.close();
  for (const name of new Set(names)) {
    const queue = new Queue(name, { connection: REDIS, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
  await stitch.shutdown();
});

const finalOutcome = (runId: string) => waitForFinalOutcome(jobs, runId);

describe('jobs on BullMQ (real Redis)', () => {
  it('the worker continues the request’s trace and sees its tenant; the run record says which request triggered it', async () => {
    const seen: { traceId: string; tenantId: string | undefined }[] = [];
    await jobs.worker<{ invoiceId: number }>('invoice.render', ({ invoiceId }) => {
      expect(invoiceId).toBe(42);
      seen.push({ traceId: currentContext().traceId, tenantId: currentContext().tenantId });
    });
    const request = await runInNewContext({ name: 'POST /invoices', tenantId: TENANT_A, requestId: 'req-bullmq-1' }, async () => ({
      ...(await jobs.enqueue('invoice.render', { invoiceId: 42 })),
      requestTraceId: currentContext().traceId,
    }));
    const origin = await finalOutcome(request.runId);

    expect(seen).toEqual([{ traceId: request.requestTraceId, tenantId: TENANT_A }]);
    expect(origin).toMatchObject({
      outcome: 'succeeded',
      traceId: request.requestTraceId,
      parentTraceId: request.requestTraceId,
      parentRequestId: 'req-bullmq-1',
      tenantId: TENANT_A,
    });
    expect((await jobs.triggeredBy('req-bullmq-1')).map((r) => r.runId)).toEqual([request.runId]);
    const span = exporter.getFinishedSpans().find((s) => s.name === 'job invoice.render');
    // BullMQ's job id is the run id: the same message id on the enqueue and on the attempt.
    const messaging = { 'messaging.system.name': 'bullmq', 'messaging.destination.name': 'invoice.render', 'messaging.message.id': request.runId };
    expect(span?.attributes).toMatchObject({ 'stitch.job.id': request.runId, 'stitch.run_id': request.runId, ...messaging });
    expect(span?.attributes).not.toHaveProperty('messaging.system');
    expect(exporter.getFinishedSpans().find((s) => s.name === 'enqueue invoice.render')?.attributes).toMatchObject(messaging);
  });

  it('a job added by plain BullMQ (a repeatable job, another producer) runs as a parentless run in the trace of its job id', async () => {
    const seen: { payload: unknown; traceId: string; runId: string | undefined }[] = [];
    await jobs.worker('raw.import', (payload) => {
      seen.push({ payload, traceId: currentContext().traceId, runId: currentContext().runId });
    });
    const queue = new Queue('raw.import', { connection: REDIS, prefix });
    const job = await queue.add('raw.import', { file: 'a.csv' }, { jobId: 'import-0001' });
    await queue.close();
    const origin = await finalOutcome('import-0001');
    expect(job.id).toBe('import-0001');
    expect(seen).toEqual([{ payload: { file: 'a.csv' }, traceId: traceIdForRun('import-0001'), runId: 'import-0001' }]);
    expect(origin).toMatchObject({ outcome: 'succeeded', parentTraceId: undefined, traceId: traceIdForRun('import-0001') });
    // A short numeric BullMQ id is not a valid request id: the run id names the engine.
    const plain = new Queue('raw.import', { connection: REDIS, prefix });
    const numbered = await plain.add('raw.import', { file: 'b.csv' });
    await plain.close();
    expect((await finalOutcome(`bullmq-job-${numbered.id}`)).outcome).toBe('succeeded');
  });

  it('a retried job keeps its trace, one span per attempt, each attempt recorded', async () => {
    let calls = 0;
    await jobs.worker('flaky', () => {
      calls += 1;
      if (calls === 1) throw new Error('first attempt fails');
    });
    const { runId, traceId } = await runInNewContext({ name: 'req', tenantId: TENANT_A }, () => jobs.enqueue('flaky', {}));
    const origin = await finalOutcome(runId);
    expect(origin.attempts.map((a) => [a.attempt, a.outcome, a.traceId])).toEqual([
      [0, 'enqueued', traceId],
      [1, 'retrying', traceId],
      [2, 'succeeded', traceId],
    ]);
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'job flaky');
    expect(new Set(spans.map((s) => s.attributes['stitch.job.attempt']))).toEqual(new Set([1, 2]));
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
  });

  it('a delayed newTrace job and a job enqueued outside any request run in the trace derived from their run id', async () => {
    const traces: string[] = [];
    await jobs.worker('report.nightly', () => {
      traces.push(currentContext().traceId);
    });
    const linked = await runInNewContext({ name: 'req', tenantId: TENANT_A, requestId: 'req-bullmq-2' }, () => jobs.enqueue('report.nightly', {}, { delayMillis: 50 }));
    // Enqueued as cron does, outside any request: deliberate, so strict mode is told.
    const orphan = await withoutStrictMode(() => jobs.enqueue('report.nightly', {}, { tenantId: TENANT_A }));
    await finalOutcome(linked.runId);
    await finalOutcome(orphan.runId);
    expect(traces.sort()).toEqual([traceIdForRun(linked.runId), traceIdForRun(orphan.runId)].sort());
    expect((await jobs.origin(linked.runId))?.parentRequestId).toBe('req-bullmq-2');
    expect((await jobs.origin(orphan.runId))?.parentTraceId).toBeUndefined();
  });
});
