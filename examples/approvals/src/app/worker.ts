/**
 * The job worker, an OS process of its own (forked by the service's launcher): it runs every
 * job the service's handlers enqueue, with its own kernel exporting to the same collector,
 * configured only through the environment (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT).
 * Each run continues the trace of the request that caused it; a scheduled one has its own.
 *
 *   notification.send  mails the submitter; stark's mailbox bounces, so it fails every attempt
 *   report.render      renders the submitter's report: a batch with one span per line
 *   report.nightly     the nightly report of one tenant: a batch with one span per expense
 *
 * Jobs arrive over Node's IPC channel by default (APPROVALS_JOBS=ipc), or from BullMQ on Redis
 * (APPROVALS_JOBS=bullmq, `npm start -- --services`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createStitch } from '@stitch/kernel';
import { runBatch } from '@stitch/kernel/batches';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { createJobs, createMemoryRunStore, createSqlRunStore } from '@stitch/kernel/jobs';
import type { JobEngine } from '@stitch/kernel/jobs';
import { bullmqJobEngine } from '@stitch/kernel/jobs/bullmq';
import { renderLine, totalCents } from '../domain/report.js';
import type { Expense } from '../domain/expense.js';
import { ipcReceiverEngine } from './ipc-job-engine.js';
import type { WorkerMessage } from './ipc-job-engine.js';
import { JOB_DEFAULTS } from './job-defaults.js';

const stitch = createStitch();
const { logger } = stitch;

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await jobs.close();
    await pool?.end();
    await stitch.shutdown();
    process.exit(0);
  })();
}

const mode = process.env.APPROVALS_JOBS ?? 'ipc';
const schema = process.env.APPROVALS_SCHEMA ?? 'approvals';
// On real servers the run records go to Postgres, beside the service's; embedded, they stay here.
const pool = mode === 'bullmq' ? new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 2 }) : undefined;
const engine: JobEngine =
  mode === 'bullmq'
    ? bullmqJobEngine({ connection: { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) }, prefix: process.env.APPROVALS_BULLMQ_PREFIX ?? 'approvals' })
    : ipcReceiverEngine(stop);
const runs = pool === undefined ? createMemoryRunStore() : createSqlRunStore(createPgDatabase(pool, { application: 'approvals-worker' }), { schema });
const jobs = createJobs({ engine, runs, defaults: JOB_DEFAULTS });

/** Registers the workers: once the service has created the tables they write to. */
async function startWorkers(): Promise<void> {
  await jobs.worker<{ to: string; expenseId: number; event: string }>('notification.send', async ({ to, expenseId, event }) => {
    // The mail relay's answer for a mailbox that does not exist: permanent, so every attempt fails.
    if (to.endsWith('.invalid')) throw new Error(`mail to ${to} bounced: 550 mailbox unavailable`);
    await sleep(3);
    logger.info({ expenseId, event }, 'notification sent');
  });

  await jobs.worker<{ expenseId: number; expenses: Expense[] }>('report.render', async ({ expenseId, expenses }) => {
    const result = await runBatch(expenses, { name: 'report.lines' }, async (expense) => renderLine(expense));
    logger.info({ expenseId, lines: result.succeeded }, 'report rendered');
  });

  await jobs.worker<{ expenses: Expense[] }>('report.nightly', async ({ expenses }) => {
    const result = await runBatch(expenses, { name: 'nightly.expense' }, async (expense) => {
      await sleep(1);
      return renderLine(expense);
    });
    logger.info({ expenses: result.succeeded, totalCents: totalCents(expenses) }, 'nightly report rendered');
  });
}

process.once('SIGTERM', stop);
process.on('message', (m: WorkerMessage) => {
  if (m.type === 'start') void startWorkers();
  if (m.type === 'stop') stop();
  // The launcher asks before it questions the collector: this process's spans are there too.
  if (m.type === 'flush?') void stitch.flush().then(() => process.send?.({ type: 'flushed', id: m.id } satisfies WorkerMessage));
});
process.send?.({ type: 'ready' } satisfies WorkerMessage);
