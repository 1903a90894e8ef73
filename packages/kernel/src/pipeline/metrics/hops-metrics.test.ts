import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { runInNewContext } from '../../core/context/context-store.js';
import { createPgliteDatabase } from '../../hops/db/pglite/pglite-database.js';
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

async function samples(name: string): Promise<{ labels: Record<string, string | number>; value: number; metricName?: string }[]> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
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
});
