import type { DecodedBatch, LogRow } from '../otlp/records.js';
import type { IngestStats } from './ingest-stats.js';
import type { Store } from './store.js';

export interface WriteQueueOptions {
  /** Records (spans + logs) waiting to be written before new requests are refused. */
  maxPendingRecords: number;
  /** Seconds a refused sender is told to wait (OTLP Retry-After). */
  retryAfterSeconds: number;
}

/** Outcome of one submitted batch, once its transaction committed or failed. */
export type WriteOutcome = { ok: true } | { ok: false; retryAfterSeconds: number };

export type SubmitResult =
  | { ok: true; done: Promise<WriteOutcome> }
  | { ok: false; reason: 'queue_full'; retryAfterSeconds: number };

interface Pending {
  batch: DecodedBatch;
  resolve: (outcome: WriteOutcome) => void;
}

function sizeOf(batch: DecodedBatch): number {
  return batch.spans.length + batch.logs.length;
}

/**
 * A bounded queue in front of the store. Requests that arrive while a transaction is in flight
 * are coalesced into the next one (group commit), which is what keeps ingest fast: one fsync
 * per transaction, not per request. When the queue holds `maxPendingRecords`, new requests are
 * refused at once (the receiver answers 429 with Retry-After) instead of growing memory.
 */
export class WriteQueue {
  private pending: Pending[] = [];
  private pendingRecords = 0;
  private writing = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly options: WriteQueueOptions,
    private readonly stats: IngestStats,
    private readonly onLogsCommitted: (logs: readonly LogRow[]) => void = () => undefined,
    /** Each transaction's duration and outcome (the collector's commit-latency metric). */
    private readonly onCommit: (seconds: number, ok: boolean) => void = () => undefined,
  ) {}

  get depth(): number {
    return this.pendingRecords;
  }

  submit(batch: DecodedBatch): SubmitResult {
    const size = sizeOf(batch);
    // A batch alone larger than the whole queue is still let in when the queue is empty, or a
    // big (but size-limited) request could never be stored.
    if (this.pendingRecords > 0 && this.pendingRecords + size > this.options.maxPendingRecords) {
      return { ok: false, reason: 'queue_full', retryAfterSeconds: this.options.retryAfterSeconds };
    }
    this.pendingRecords += size;
    const done = new Promise<WriteOutcome>((resolve) => this.pending.push({ batch, resolve }));
    void this.drain();
    return { ok: true, done };
  }

  /** Resolves once everything submitted so far is written (used on shutdown). */
  idle(): Promise<void> {
    if (!this.writing && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      const batches = group.map((p) => p.batch);
      const size = batches.reduce((n, b) => n + sizeOf(b), 0);
      const started = performance.now();
      try {
        const counts = await this.store.write(batches);
        this.stats.lastWriteOkMillis = Date.now();
        this.onCommit((performance.now() - started) / 1000, true);
        this.stats.acceptedSpans += counts.spans;
        this.stats.acceptedLogs += counts.logs;
        for (const p of group) p.resolve({ ok: true });
        const logs = batches.flatMap((b) => b.logs);
        if (logs.length > 0) this.onLogsCommitted(logs);
      } catch {
        this.stats.writeFailures += 1;
        this.stats.lastWriteFailedMillis = Date.now();
        this.onCommit((performance.now() - started) / 1000, false);
        for (const p of group) p.resolve({ ok: false, retryAfterSeconds: this.options.retryAfterSeconds });
      } finally {
        this.pendingRecords -= size;
      }
    }
    this.writing = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
