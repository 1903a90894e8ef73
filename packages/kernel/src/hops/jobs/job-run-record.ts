import type { Queryable } from '../db/queryable.js';

/**
 * Run records: one row per attempt of a run (attempt 0 is the enqueue itself), enough to answer
 * "which request triggered this job?" and "which jobs did this request trigger?" from the
 * records alone, even when no trace was sampled or kept.
 */

/** `enqueued` (attempt 0), `running`, `succeeded`, `retrying` (failed, another attempt comes), `failed` (final). */
export type RunOutcome = 'enqueued' | 'running' | 'succeeded' | 'retrying' | 'failed';

export interface RunAttemptRecord {
  readonly runId: string;
  readonly attempt: number;
  readonly jobName: string;
  readonly engine: string;
  readonly tenantId: string | undefined;
  /** The trace the run's spans are in: the request's, or the run's own (traceIdForRun). */
  readonly traceId: string;
  /** The span of this attempt (the enqueue span for attempt 0). */
  readonly spanId: string | undefined;
  /** The trace, span and request that enqueued the run, when any. */
  readonly parentTraceId: string | undefined;
  readonly parentSpanId: string | undefined;
  readonly parentRequestId: string | undefined;
  /** The run started its own trace linked to the enqueuing span. */
  readonly newTrace: boolean;
  readonly outcome: RunOutcome;
  readonly startedAt: Date;
  readonly durationMillis: number | undefined;
  readonly errorClass: string | undefined;
  readonly errorMessage: string | undefined;
}

/** A run and where it came from: the answer of `jobs.origin(runId)`. */
export interface RunOrigin {
  readonly runId: string;
  readonly jobName: string;
  readonly tenantId: string | undefined;
  readonly traceId: string;
  readonly parentTraceId: string | undefined;
  readonly parentSpanId: string | undefined;
  readonly parentRequestId: string | undefined;
  /** Outcome of the latest attempt. */
  readonly outcome: RunOutcome;
  /** Every attempt so far, enqueue (0) first. */
  readonly attempts: readonly RunAttemptRecord[];
}

export interface RunFinish {
  readonly runId: string;
  readonly attempt: number;
  readonly outcome: 'succeeded' | 'retrying' | 'failed';
  readonly durationMillis: number;
  readonly errorClass?: string | undefined;
  readonly errorMessage?: string | undefined;
}

/** Where run records live: `createSqlRunStore(db)` (Postgres, PGlite) or `createMemoryRunStore()`. */
export interface RunStore {
  /** Creates the tables if missing; idempotent. */
  migrate(): Promise<void>;
  /**
   * Inserts an attempt row (enqueue or attempt start); through `via` when given, so the enqueue
   * record commits or rolls back with the caller's transaction.
   */
  insert(record: RunAttemptRecord, via?: Queryable): Promise<void>;
  finish(finish: RunFinish): Promise<void>;
  origin(runId: string): Promise<RunOrigin | undefined>;
  /** Runs whose enqueuing trace id or request id is `id`, oldest first. */
  triggeredBy(id: string): Promise<RunOrigin[]>;
}

/** Groups attempt rows (any order) into origins, runs in order of their first row. */
export function groupRuns(rows: readonly RunAttemptRecord[]): RunOrigin[] {
  const byRun = new Map<string, RunAttemptRecord[]>();
  for (const row of rows) {
    const list = byRun.get(row.runId);
    if (list === undefined) byRun.set(row.runId, [row]);
    else list.push(row);
  }
  const origins: RunOrigin[] = [];
  for (const [runId, list] of byRun) {
    const attempts = [...list].sort((a, b) => a.attempt - b.attempt);
    const first = attempts[0] as RunAttemptRecord;
    const last = attempts[attempts.length - 1] as RunAttemptRecord;
    origins.push({
      runId,
      jobName: first.jobName,
      tenantId: first.tenantId,
      traceId: last.traceId,
      parentTraceId: first.parentTraceId,
      parentSpanId: first.parentSpanId,
      parentRequestId: first.parentRequestId,
      outcome: last.outcome,
      attempts,
    });
  }
  return origins.sort((a, b) => (a.attempts[0]?.startedAt.getTime() ?? 0) - (b.attempts[0]?.startedAt.getTime() ?? 0));
}
