import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { rejectedCount } from './rejected-count.js';

/** What the export path did, readable at any time (`exportStats()`). Every span that does not reach the backend is counted in one `dropped*` field. */
export interface ExportStats {
  /** Spans the backend acknowledged. */
  exported: number;
  /** Spans waiting in the queue right now. */
  queued: number;
  /** Dropped because the queue was full (the backend is slower than the service). */
  droppedQueueFull: number;
  /** Dropped with a batch that failed or timed out (dead, hanging or garbage-answering backend). */
  droppedExportFailed: number;
  /** Lost because shutdown() hit its deadline, or ended after shutdown began. */
  droppedShutdown: number;
  /** Refused by the backend in a partial success (OTLP `partial_success.rejected_spans`). */
  droppedRejected: number;
  /** Batches that failed or timed out. */
  failedExports: number;
}

export interface BoundedBatchOptions {
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
  readonly shutdownTimeoutMillis: number;
  /** Where to report drops (once per episode, with the number). */
  readonly warn?: (fields: Record<string, unknown>, message: string) => void;
}

/**
 * A batch span processor with a bounded queue in which every lost span is counted.
 *
 * Why not the SDK's BatchSpanProcessor: it drops silently on a full queue (a diag debug line
 * and a self-observability metric that needs a MeterProvider), and it only exports spans with
 * the sampled flag — but the tail sampler forwards head-unsampled traces it decided to keep.
 *
 * Nothing here runs on the request's path but an array push: exports start from an unref'd
 * timer, one batch at a time, each abandoned (and counted) after `exportTimeoutMillis` whatever
 * the exporter does, so a hanging backend holds at most one batch and the queue.
 *
 * @example
 *   const processor = new BoundedBatchSpanProcessor(exporter, { maxQueueSize: 2048, maxExportBatchSize: 512,
 *     scheduledDelayMillis: 1000, exportTimeoutMillis: 10000, shutdownTimeoutMillis: 5000 });
 */
export class BoundedBatchSpanProcessor implements SpanProcessor {
  private queue: ReadableSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> | undefined;
  private inFlight = 0;
  private isShutdown = false;
  private shutdownPromise: Promise<void> | undefined;
  private dropEpisode = 0;
  /** Spans lost to failed exports since the last success; > 0 means the backend is failing. */
  private failEpisode = 0;
  private readonly counters = { exported: 0, droppedQueueFull: 0, droppedExportFailed: 0, droppedShutdown: 0, droppedRejected: 0, failedExports: 0 };

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: BoundedBatchOptions,
  ) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown) {
      this.counters.droppedShutdown += 1;
      return;
    }
    if (this.queue.length >= this.options.maxQueueSize) {
      this.counters.droppedQueueFull += 1;
      if (this.dropEpisode === 0) this.options.warn?.({ max_queue_size: this.options.maxQueueSize }, 'span export queue is full: dropping spans');
      this.dropEpisode += 1;
      return;
    }
    if (this.dropEpisode > 0) {
      this.options.warn?.({ dropped_spans: this.dropEpisode }, 'span export queue accepts spans again');
      this.dropEpisode = 0;
    }
    this.queue.push(span);
    if (this.queue.length >= this.options.maxExportBatchSize) this.schedule(0);
    else this.schedule(this.options.scheduledDelayMillis);
  }

  /** A snapshot of the counters. */
  stats(): ExportStats {
    return { ...this.counters, queued: this.queue.length };
  }

  /** Exports everything queued now; resolves when done (failures are counted, never thrown). */
  async forceFlush(): Promise<void> {
    while (this.exporting !== undefined) await this.exporting;
    while (this.queue.length > 0) await this.exportBatch();
  }

  /**
   * Flushes for at most `shutdownTimeoutMillis`, then gives up: what is still queued or in
   * flight is counted in `droppedShutdown`. Never rejects.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.isShutdown = true;
    this.clearTimer();
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      deadline = setTimeout(() => resolve('timeout'), this.options.shutdownTimeoutMillis);
    });
    const flushed = this.forceFlush().then(() => 'flushed' as const);
    const outcome = await Promise.race([flushed, timedOut]);
    if (outcome === 'timeout') {
      this.counters.droppedShutdown += this.queue.length + this.inFlight;
      this.queue = [];
      this.inFlight = 0;
    }
    // The exporter's own shutdown may wait on sockets: give it what is left of nothing.
    await Promise.race([this.exporter.shutdown().catch(() => undefined), outcome === 'timeout' ? Promise.resolve() : timedOut]);
    clearTimeout(deadline);
  }

  private schedule(delayMillis: number): void {
    if (this.exporting !== undefined) return; // the running export reschedules when done
    if (this.timer !== undefined) {
      if (delayMillis > 0) return;
      this.clearTimer();
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.exportBatch();
    }, delayMillis);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private exportBatch(): Promise<void> {
    if (this.exporting !== undefined) return this.exporting;
    const batch = this.queue.length <= this.options.maxExportBatchSize ? this.queue : this.queue.slice(0, this.options.maxExportBatchSize);
    this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
    if (batch.length === 0) return Promise.resolve();
    this.inFlight = batch.length;
    this.exporting = this.sendOnce(batch).then((rejected) => {
      // inFlight is zeroed when shutdown gave up on this batch: it was counted there.
      if (this.inFlight > 0) {
        if (rejected !== false) this.recordSuccess(batch.length, rejected);
        else this.recordFailure(batch.length);
      }
      this.inFlight = 0;
      this.exporting = undefined;
      if (this.queue.length > 0 && !this.isShutdown) {
        this.schedule(this.queue.length >= this.options.maxExportBatchSize ? 0 : this.options.scheduledDelayMillis);
      }
    });
    return this.exporting;
  }

  // Reported once per episode, with the number, not once per batch: a dead backend must not
  // turn into a log flood.
  private recordFailure(spans: number): void {
    this.counters.droppedExportFailed += spans;
    this.counters.failedExports += 1;
    if (this.failEpisode === 0) this.options.warn?.({ dropped_spans: spans }, 'span export failed (backend down, hanging or answering garbage): dropping spans');
    this.failEpisode += spans;
  }

  private recordSuccess(spans: number, rejected: number): void {
    this.counters.exported += spans - rejected;
    this.counters.droppedRejected += rejected;
    if (this.failEpisode > 0) this.options.warn?.({ dropped_spans: this.failEpisode }, 'span export works again');
    this.failEpisode = 0;
  }

  /**
   * One export attempt, settled by the exporter's callback, a throw, or the timeout: `false` for
   * a failure, else how many spans the backend rejected (a partial success).
   */
  private sendOnce(batch: ReadableSpan[]): Promise<number | false> {
    return new Promise<number | false>((resolve) => {
      let settled = false;
      const settle = (ok: number | false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        resolve(ok);
      };
      const timeout = setTimeout(() => settle(false), this.options.exportTimeoutMillis);
      timeout.unref();
      // Spans the exporter's own HTTP client would make must not feed back into the queue.
      context.with(suppressTracing(context.active()), () => {
        try {
          this.exporter.export(batch, (result) => settle(result.code === ExportResultCode.SUCCESS ? rejectedCount(result, batch.length) : false));
        } catch {
          settle(false);
        }
      });
    });
  }
}
