import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { Queue, Worker } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { parseOptions } from '../../../core/options/parse-options.js';
import type { EngineDelivery, JobEngine } from '../job-engine.js';
import { toJobMessage } from '../job-envelope.js';

export interface BullmqJobEngineOptions {
  /** ioredis options or instance, as BullMQ takes them; e.g. `{ host: '127.0.0.1', port: 6379 }`. */
  readonly connection: ConnectionOptions;
  /** Redis key prefix of every queue (BullMQ's `prefix`); default `bull`. */
  readonly prefix?: string;
  /** Queue that carries a job name; one queue per job name by default. */
  readonly queueName?: (jobName: string) => string;
  /** Finished jobs kept in Redis; the run records are the history, so few by default. */
  readonly keepCompleted?: number;
  readonly keepFailed?: number;
}

const BullmqJobEngineOptionsSchema = z.object({
  prefix: z.string().min(1).optional(),
  keepCompleted: z.number().int().nonnegative().default(100),
  keepFailed: z.number().int().nonnegative().default(1_000),
});

/**
 * Jobs on BullMQ (Redis). The run id is the BullMQ job id, retries are BullMQ's attempts with
 * exponential backoff, and the Stitch envelope rides in the job's data beside the payload.
 *
 * @example
 *   import { bullmqJobEngine } from '@stitch/kernel/jobs/bullmq';
 *   const jobs = createJobs({ engine: bullmqJobEngine({ connection: { host: '127.0.0.1', port: 6379 } }) });
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option (parseOptions).
 */
export function bullmqJobEngine(options: BullmqJobEngineOptions): JobEngine & { queueNames(): string[] } {
  const { connection, queueName: nameQueue, ...settings } = options;
  const { prefix, keepCompleted, keepFailed } = parseOptions(BullmqJobEngineOptionsSchema, settings, 'bullmqJobEngine');
  const queueName = nameQueue ?? ((name: string) => name);
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  const base = { connection, ...(prefix !== undefined && { prefix }) };

  function queueFor(name: string): Queue {
    const qName = queueName(name);
    let queue = queues.get(qName);
    if (queue === undefined) {
      // Made outside the caller's context: the connection's handshake and background commands
      // belong to no request (with ioredis instrumentation they were children of the first one).
      queue = context.with(untraced, () => new Queue(qName, base));
      queues.set(qName, queue);
    }
    return queue;
  }

  const untraced = suppressTracing(ROOT_CONTEXT);

  return {
    kind: 'bullmq',
    queueName,
    async send(name, message, send) {
      const job = await queueFor(name).add(name, message, {
        jobId: send.runId,
        attempts: send.attempts,
        ...(send.delayMillis > 0 && { delay: send.delayMillis }),
        ...(send.backoffMillis > 0 && { backoff: { type: 'exponential', delay: send.backoffMillis } }),
        removeOnComplete: keepCompleted,
        removeOnFail: keepFailed,
      });
      return job.id ?? send.runId;
    },
    async work(name, handler, work) {
      const qName = queueName(name);
      // The job name is matched inside the processor so several job names may share a queue.
      // The worker's blocking polls inherit the context it is made in: an untraced one, so an
      // idle worker makes no spans (with ioredis instrumentation, one per poll). Each attempt
      // starts its own span from the job's envelope (job-attempt.ts), not from this context.
      const worker = context.with(untraced, () => new Worker(
        qName,
        async (job) => {
          if (job.name !== name) return;
          const delivery: EngineDelivery = {
            message: toJobMessage(job.data, job.id ?? '', 'bullmq'),
            engineJobId: job.id ?? '',
            // attemptsMade counts finished attempts, so the one starting now is attemptsMade + 1.
            attempt: job.attemptsMade + 1,
            maxAttempts: job.opts.attempts ?? 1,
          };
          await handler(delivery);
        },
        { ...base, concurrency: work.concurrency },
      ));
      // Without a listener an 'error' event (Redis gone) would crash the process.
      worker.on('error', () => {});
      workers.push(worker);
      await worker.waitUntilReady();
    },
    queueNames: () => [...queues.keys(), ...workers.map((w) => w.name)],
    async close() {
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
    },
  };
}
