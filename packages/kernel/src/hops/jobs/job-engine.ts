import type { Queryable } from '../db/queryable.js';
import type { JobMessage } from './job-envelope.js';

/** How one job is sent: the engine owns delays and retries, Stitch only says how many. */
export interface EngineSendOptions {
  /** Used as the engine's own job id, so one id names the run everywhere. */
  readonly runId: string;
  readonly delayMillis: number;
  /** Total attempts, first included (≥ 1). */
  readonly attempts: number;
  /** First retry delay; later ones double (the engine's exponential backoff). */
  readonly backoffMillis: number;
  /** Enqueue inside the caller's transaction, for engines that live in the same database (pg-boss). */
  readonly db?: Queryable | undefined;
}

/** One attempt of one job, as an engine hands it to Stitch. */
export interface EngineDelivery {
  readonly message: JobMessage;
  readonly engineJobId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

export interface EngineWorkOptions {
  readonly concurrency: number;
}

/**
 * What an engine adapter (in-process, BullMQ, pg-boss) implements. The handler throws to fail an
 * attempt; the engine retries until `attempts` is spent. Context, spans and run records are not
 * the engine's business: `createJobs()` does them the same way over every engine.
 */
export interface JobEngine {
  /** `in-process`, `bullmq`, `pg-boss`: written to run records. */
  readonly kind: string;
  send(name: string, message: JobMessage, options: EngineSendOptions): Promise<string>;
  /** The queue a job name is sent to (`messaging.destination.name`), when the engine maps names; the name itself otherwise. */
  queueName?(name: string): string;
  work(name: string, handler: (delivery: EngineDelivery) => Promise<void>, options: EngineWorkOptions): Promise<void>;
  /** Stops workers (letting running attempts finish) and closes connections the engine opened. */
  close(): Promise<void>;
}
