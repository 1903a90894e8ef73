import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, runInNewContext } from '../packages/kernel/src/core/context/context-store.js';
import { pgBossJobEngine } from '../packages/kernel/src/hops/jobs/pg-boss/index.js';
import { createJobs } from '../packages/kernel/src/hops/jobs/jobs.js';
import { createSqlRunStore } from '../packages/kernel/src/hops/jobs/sql-run-store.js';
import { startStitch } from '../packages/kernel/src/setup/start-stitch.js';
import { asQueryable, newPool, POSTGRES_URL, uniqueName } from './helpers/pg-queryable.js';
import { waitForFinalOutcome } from './helpers/jobs.js';

const stitch = startStitch({ serviceName: 'jobs-pg-boss-test', tracing: { export: { exporter: 'none' } } });
const pool = newPool();
const runSchema = uniqueName('stitch_jobs');
const bossSchema = uniqueName('stitch_pgboss');
const runs = createSqlRunStore(asQueryable(pool), { schema: runSchema });
const jobs = createJobs({
  engine: pgBossJobEngine({ connectionString: POSTGRES_URL, schema: bossSchema }),
  runs,
  defaults: { backoffMillis: 0 },
});

const TENANT_A = '11111111-1111-4111-8111-111111111111';

beforeAll(() => runs.migrate());
afterAll(async () => {
  await jobs.close();
  await pool.query(`DROP SCHEMA IF EXISTS ${runSchema} CASCADE`);
  await pool.query(`DROP SCHEMA IF EXISTS ${bossSchema} CASCADE`);
  await pool.end();
  await stitch.shutdown();
});

const finalOutcome = (runId: string) => waitForFinalOutcome(jobs, runId);

describe('jobs on pg-boss (real Postgres)', () => {
  it('the worker continues the request’s trace with its tenant, across a retry', async () => {
    const seen: { traceId: string; tenantId: string | undefined; attempt: number }[] = [];
    await jobs.worker('invoice.render', (_payload, info) => {
      seen.push({ traceId: currentContext().traceId, tenantId: currentContext().tenantId, attempt: info.attempt });
      if (info.attempt === 1) throw new Error('first attempt fails');
    });
    const request = await runInNewContext({ name: 'POST /invoices', tenantId: TENANT_A, requestId: 'req-pgboss-1' }, async () => ({
      ...(await jobs.enqueue('invoice.render', { invoiceId: 7 })),
      requestTraceId: currentContext().traceId,
    }));
    const origin = await finalOutcome(request.runId);

    expect(seen).toEqual([
      { traceId: request.requestTraceId, tenantId: TENANT_A, attempt: 1 },
      { traceId: request.requestTraceId, tenantId: TENANT_A, attempt: 2 },
    ]);
    expect(origin.attempts.map((a) => [a.attempt, a.outcome, a.engine])).toEqual([
      [0, 'enqueued', 'pg-boss'],
      [1, 'retrying', 'pg-boss'],
      [2, 'succeeded', 'pg-boss'],
    ]);
    expect(origin).toMatchObject({ parentTraceId: request.requestTraceId, parentRequestId: 'req-pgboss-1', tenantId: TENANT_A });
    expect((await jobs.triggeredBy(request.requestTraceId)).map((r) => r.runId)).toEqual([request.runId]);
  });

  it('a job enqueued in a transaction that rolls back never runs and leaves no run record', async () => {
    const ran: string[] = [];
    await jobs.worker('audit.export', (_payload, info) => {
      ran.push(info.runId);
    });
    const client = await pool.connect();
    let rolledBack: string;
    try {
      await client.query('BEGIN');
      rolledBack = (await runInNewContext({ name: 'req', tenantId: TENANT_A }, () => jobs.enqueue('audit.export', {}, { db: asQueryable(client) }))).runId;
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const committed = await runInNewContext({ name: 'req', tenantId: TENANT_A }, () => jobs.enqueue('audit.export', {}));
    await finalOutcome(committed.runId);

    expect(ran).toEqual([committed.runId]);
    expect(await jobs.origin(rolledBack)).toBeUndefined();
  });
});
