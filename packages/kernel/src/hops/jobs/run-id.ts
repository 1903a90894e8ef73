import { createHash, randomUUID } from 'node:crypto';

/**
 * A new run id. A UUID because every engine accepts it as its own job id (pg-boss requires a
 * UUID, BullMQ forbids `:` and plain integers), so one id names the run everywhere.
 */
export function newRunId(): string {
  return randomUUID();
}

/**
 * The trace id of a run that has no parent trace (cron, manual, enqueued outside any request)
 * or that starts its own linked trace: the first 16 bytes of SHA-256 over the UTF-8 string
 * `stitch-run:<runId>`, as 32 lowercase hex digits (seed KER260 §4.6 "traceId derived from
 * runId"). Deterministic, so from a run id anyone can find its trace, and from a trace id and a
 * candidate run id (the span attribute `stitch.run_id`) anyone can verify the pair.
 *
 * @example
 *   traceIdForRun('0b6d6c1e-3f4a-4c55-9d0e-2f1f7d8a9b10'); // always the same 32 hex digits
 */
export function traceIdForRun(runId: string): string {
  const id = createHash('sha256').update(`stitch-run:${runId}`, 'utf8').digest('hex').slice(0, 32);
  // An all-zero trace id is invalid (W3C §3.2.2.3); the odds are 2^-128, but stay valid anyway.
  return id === '0'.repeat(32) ? `${'0'.repeat(31)}1` : id;
}

/** Whether `traceId` is the trace derived from `runId` (see traceIdForRun). */
export function isTraceOfRun(traceId: string, runId: string): boolean {
  return traceIdForRun(runId) === traceId;
}
