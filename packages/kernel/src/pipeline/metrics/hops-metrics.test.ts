import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { runInNewContext } from '../../core/context/context-store.js';
import { randomUUID } from 'node:crypto';
import { createPgliteDatabase } from '../../hops/db/pglite/pglite-database.js';
import { createCheckpointStore } from '../../hops/events/checkpoint-store.js';
import { consumeEvents } from '../../hops/events/event-consumer.js';
import { createInProcessBus } from '../../hops/events/in-process-bus.js';
import { inProcessJobEngine } from '../../hops/jobs/in-process-engine.js';
import { createJobs } from '../../hops/jobs/jobs.js';
import { createMemoryRunStore } from '../../hops/jobs/memory-run-store.js';
import { createStitch } from '../../setup/create-stitch.js';
import { createMetrics } from './create-metrics.js';

// The real hops, not hand-made spans: what the span observer reads is what they write.
const stitch = createStitch({ env: { OTEL_SERVICE_NAME: 'hops-metrics-test', STITCH_LOG_LEVEL: 'silent', OTEL_TRACES_EXPORTER: 'none' } });
const metrics = createMetrics({ stitch });
afterAll(async () => {
  await metrics.close();
  await stitch.shutdown();
});

async function samples(name: string, from = metrics): Promise<{ labels: Record<string, string | number>; value: number; metricName?: string }[]> {
  const metric = (await from.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (metric?.values ?? []) as { labels: Record<string, string | number>; value: number; metricName?: string }[];
}

describe('metrics from the real hops', () => {
  it('times a traced query by its query name, and a job’s attempts by outcome with its queue wait', async () => {
    const pglite = new PGlite();
    const db = createPgliteDatabase(pglite);
    await runInNewContext({ name: 'GET /items' }, () => db.query('SELECT 1 AS one', [], { name: 'items.probe' }));
    await pglite.close();
    const queries = (await samples('db_client_operation_duration_seconds')).filter((s) => s.metricName?.endsWith('_count'));
    expect(queries.map((s) => [s.labels.db_query_name, s.labels.outcome, s.value])).toContainEqual(['items.probe', 'ok', 1]);

    const engine = inProcessJobEngine();
    const jobs = createJobs({ engine, runs: createMemoryRunStore(), defaults: { backoffMillis: 1, attempts: 2 } });
    let calls = 0;
    await jobs.worker('invoice.render', () => {
      calls += 1;
      if (calls === 1) throw new Error('first attempt fails');
    });
    await runInNewContext({ name: 'POST /invoices' }, () => jobs.enqueue('invoice.render', {}));
    await engine.idle();
    await jobs.close();
    const runs = (await samples('stitch_job_run_duration_seconds')).filter((s) => s.metricName?.endsWith('_count'));
    expect(runs.map((s) => [s.labels.stitch_job_name, s.labels.outcome, s.value]).sort()).toEqual([
      ['invoice.render', 'retrying', 1],
      ['invoice.render', 'succeeded', 1],
    ]);
    const waits = (await samples('stitch_job_queue_wait_seconds')).filter((s) => s.metricName?.endsWith('_count'));
    expect(waits.map((s) => [s.labels.stitch_job_name, s.value])).toEqual([['invoice.render', 1]]);
  });

  it('counts enqueued jobs and attempts by job name from the jobs, an enqueue outside any request included', async () => {
    const engine = inProcessJobEngine();
    const jobs = createJobs({ engine, runs: createMemoryRunStore(), defaults: { backoffMillis: 1, attempts: 2 } });
    const withJobs = createMetrics({ stitch, jobs: [jobs] });
    await jobs.worker('report.render', (payload) => {
      if ((payload as { fail: string }).fail === 'always') throw new Error('this report never renders');
    });
    await runInNewContext({ name: 'POST /reports' }, () => jobs.enqueue('report.render', { fail: 'never' }));
    await jobs.enqueue('report.render', { fail: 'always' }); // a cron's enqueue: no request, no span
    await engine.idle();
    await jobs.close();
    const count = async (name: string): Promise<unknown[]> => (await samples(name, withJobs)).map((s) => [s.labels.stitch_job_name, s.labels.outcome, s.value]);
    expect(await count('stitch_job_enqueued_total')).toEqual([['report.render', undefined, 2]]);
    expect(await count('stitch_job_attempts_started_total')).toEqual([['report.render', undefined, 3]]);
    expect((await count('stitch_job_attempts_total')).sort()).toEqual([
      ['report.render', 'failed', 1],
      ['report.render', 'retrying', 1],
      ['report.render', 'succeeded', 1],
    ]);
    await withJobs.close();
  });

  it('counts an event the bus delivered again by consumer and event type', async () => {
    const pglite = new PGlite();
    const checkpoints = createCheckpointStore({ db: createPgliteDatabase(pglite) });
    await checkpoints.migrate();
    const bus = createInProcessBus({ retryDelayMillis: 1 });
    let runs = 0;
    await consumeEvents({
      bus,
      name: 'invoice-mailer',
      checkpoints,
      actions: [
        {
          kind: 'email',
          async run() {
            runs += 1;
            if (runs === 1) throw new Error('the mail server is down');
          },
        },
      ],
    });
    await bus.publish({ id: randomUUID(), type: 'invoice.issued', occurredAt: new Date().toISOString(), payload: {} });
    await bus.idle();
    await bus.close();
    await pglite.close();
    expect(runs).toBe(2);
    const redeliveries = (await samples('stitch_event_redeliveries_total')).map((s) => [s.labels.messaging_consumer_group_name, s.labels.stitch_event_type, s.value]);
    expect(redeliveries).toEqual([['invoice-mailer', 'invoice.issued', 1]]);
  });
});
