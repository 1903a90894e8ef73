import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import PgBoss from 'pg-boss';
import { z } from 'zod';
import { parseOptions } from '../../../core/options/parse-options.js';
import { IDENTIFIER, IDENTIFIER_RULE } from '../../db/sql-identifier.js';
import type { Queryable } from '../../db/queryable.js';
import type { JobEngine } from '../job-engine.js';
import { toJobMessage } from '../job-envelope.js';

export interface PgBossJobEngineOptions {
  /** A started or unstarted PgBoss instance the caller owns, or the options to make one. */
  readonly boss?: PgBoss;
  readonly connectionString?: string;
  /** pg-boss' own schema; default `pgboss`. */
  readonly schema?: string;
  /** How often an idle worker polls (pg-boss' minimum is 0.5 s). */
  readonly pollingIntervalSeconds?: number;
}

const PgBossJobEngineOptionsSchema = z.object({
  connectionString: z.string().min(1).optional(),
  schema: z.string().regex(IDENTIFIER, { message: IDENTIFIER_RULE }).optional(),
  // pg-boss' own minimum: it refuses less, later and in its own words.
  pollingIntervalSeconds: z.number().min(0.5).default(0.5),
});

/**
 * Jobs on pg-boss (Postgres). The run id is the pg-boss job id (both UUIDs), retries are
 * pg-boss' retryLimit with its exponential backoff, and `enqueue(…, { db: tx })` inserts the job
 * inside the caller's transaction, so a rolled-back request enqueues nothing.
 *
 * @example
 *   import { pgBossJobEngine } from '@stitch/kernel/jobs/pg-boss';
 *   const jobs = createJobs({ engine: pgBossJobEngine({ connectionString: 'postgres://postgres@127.0.0.1/test' }) });
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option (parseOptions).
 */
export function pgBossJobEngine(options: PgBossJobEngineOptions): JobEngine {
  const { boss: given, ...settings } = options;
  const { connectionString, schema, pollingIntervalSeconds } = parseOptions(PgBossJobEngineOptionsSchema, settings, 'pgBossJobEngine');
  const owned = given === undefined;
  const boss =
    given ??
    new PgBoss({
      ...(connectionString !== undefined && { connectionString }),
      ...(schema !== undefined && { schema }),
    });
  // Without a listener an 'error' event (database gone) would crash the process.
  if (owned) boss.on('error', () => {});
  let started: Promise<unknown> | undefined;
  const queues = new Map<string, Promise<void>>();

  // pg-boss polls and maintains its tables on timers that inherit the context they were set up
  // in: started from a request, every later poll was a span of that request; otherwise each was
  // a root trace of its own (with pg instrumentation). Set up untraced, its polls make no spans;
  // each attempt starts its own span from the job's envelope (job-attempt.ts).
  const untraced = suppressTracing(ROOT_CONTEXT);

  function ready(name: string): Promise<void> {
    started ??= owned ? context.with(untraced, () => boss.start()) : Promise.resolve();
    let queue = queues.get(name);
    if (queue === undefined) {
      // pg-boss 10 needs a queue created before send/work; createQueue is idempotent.
      queue = started.then(() => context.with(untraced, () => boss.createQueue(name)));
      queues.set(name, queue);
    }
    return queue;
  }

  return {
    kind: 'pg-boss',
    async send(name, message, send) {
      await ready(name);
      const backoffSeconds = Math.ceil(send.backoffMillis / 1_000);
      const id = await boss.send(name, message as object, {
        id: send.runId,
        retryLimit: send.attempts - 1,
        retryDelay: backoffSeconds,
        retryBackoff: backoffSeconds > 0,
        ...(send.delayMillis > 0 && { startAfter: Math.ceil(send.delayMillis / 1_000) }),
        ...(send.db !== undefined && { db: toPgBossDb(send.db) }),
      });
      return id ?? send.runId;
    },
    async work(name, handler, work) {
      await ready(name);
      // One worker per unit of concurrency: pg-boss runs a worker's batch sequentially.
      for (let i = 0; i < work.concurrency; i += 1) {
        await context.with(untraced, () =>
          boss.work<unknown>(name, { includeMetadata: true, batchSize: 1, pollingIntervalSeconds }, async (jobs) => {
            for (const job of jobs) {
              await handler({ message: toJobMessage(job.data, job.id, 'pg-boss'), engineJobId: job.id, attempt: job.retryCount + 1, maxAttempts: job.retryLimit + 1 });
            }
          }),
        );
      }
    },
    async close() {
      if (started === undefined) return;
      if (owned) await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      else for (const name of queues.keys()) await boss.offWork(name);
    },
  };
}

/** pg-boss runs its insert through `executeSql` when given a `db`: adapt any Queryable to it. */
function toPgBossDb(db: Queryable): PgBoss.Db {
  return { executeSql: (text, values) => db.query(text, values) };
}
