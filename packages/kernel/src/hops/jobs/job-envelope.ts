import { RequestIdSchema } from '@stitch/contract';
import type { Carrier } from '../../core/carrier/carrier.js';

/**
 * What enqueue stores beside the payload so the worker can continue the request that caused
 * the job: the carrier of the enqueuing span (core/carrier/carrier.ts: trace headers, tenant,
 * request id, actor, entry), beside the run's own fields. Versioned because jobs outlive
 * deploys: a worker must read what an older producer wrote (fields added since v1 are
 * optional, and a worker reads the entry through entryOfCarrier, bounded).
 */
export interface JobEnvelope extends Carrier {
  readonly v: 1;
  readonly runId: string;
  /** The run starts its own trace linked to the enqueue span (a job for another tenant than the request's). */
  readonly newTrace?: true;
  readonly enqueuedAtMillis: number;
}

/** The message every engine carries: the caller's payload untouched, Stitch's envelope beside it. */
export interface JobMessage<Payload = unknown> {
  readonly payload: Payload;
  readonly stitch: JobEnvelope;
}

/** Whether a value read back from an engine looks like a message Stitch wrote. */
export function isJobMessage(value: unknown): value is JobMessage {
  if (typeof value !== 'object' || value === null) return false;
  const stitch = (value as { stitch?: unknown }).stitch;
  return typeof stitch === 'object' && stitch !== null && typeof (stitch as { runId?: unknown }).runId === 'string';
}

/**
 * The message of a job as an engine stored it. A job Stitch did not enqueue (an engine's own
 * scheduler: BullMQ repeatable jobs, pg-boss schedules; another producer) has no envelope: it
 * runs as a run without parent, its run id the engine's job id (or `<engine>-job-<id>` when
 * that id is not a valid request id, e.g. BullMQ's short numeric ids), so its trace is
 * `traceIdForRun(runId)` and stable across its retries.
 */
export function toJobMessage(data: unknown, engineJobId: string, engine: string): JobMessage {
  if (isJobMessage(data)) return data;
  const runId = RequestIdSchema.safeParse(engineJobId).success ? engineJobId : `${engine}-job-${engineJobId}`;
  return { payload: data, stitch: { v: 1, runId, enqueuedAtMillis: Date.now() } };
}
