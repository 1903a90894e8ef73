import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { rejectedCount } from './rejected-count.js';

/** What became of the spans handed to the exporter. */
export interface ExportOutcomes {
  exported: number;
  droppedExportFailed: number;
  droppedRejected: number;
  failedExports: number;
}

export interface CountingSpanExporterOptions {
  /** A batch the exporter has not answered by then counts as failed, whatever it does later. */
  readonly exportTimeoutMillis: number;
  /** Called as each batch is sent: it leaves the queue (its count goes down) for the exporter. */
  readonly onSend: (spans: number) => void;
  /** Maps what the SDK's batch processor holds back to the span to send. */
  readonly unwrap: (span: ReadableSpan) => ReadableSpan;
  readonly warn?: (fields: Record<string, unknown>, message: string) => void;
}

/**
 * The exporter the SDK's `BatchSpanProcessor` is given: it counts what the backend did with each
 * batch (acknowledged, rejected in a partial success, failed or never answered), settles a batch
 * after `exportTimeoutMillis` (from when it is sent) whatever the inner exporter does, and sends
 * one batch at a time, each on a later turn of the event loop. The SDK calls `export`
 * synchronously from `onEnd` when a span fills a batch; deferring keeps redaction and
 * serialisation off the request that ended it.
 *
 * @example
 *   const counting = new CountingSpanExporter(otlp, { exportTimeoutMillis: 10_000, onSend: (n) => (queued -= n), unwrap: (s) => s });
 *   new BatchSpanProcessor(counting, { maxQueueSize: 2048 });
 */
export class CountingSpanExporter implements SpanExporter {
  private readonly outcomes: ExportOutcomes = { exported: 0, droppedExportFailed: 0, droppedRejected: 0, failedExports: 0 };
  private inFlightSpans = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private abandoned = false;
  /** Settles when the last batch handed over has; the next one starts after it. */
  private turn: Promise<void> = Promise.resolve();
  /** Spans lost to failed exports since the last success; > 0 means the backend is failing. */
  private failEpisode = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly options: CountingSpanExporterOptions,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const count = spans.length;
    let settled = false;
    let timeout: NodeJS.Timeout | undefined;
    let markDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (markDone = resolve));
    this.inFlight.add(done);
    const settle = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      this.inFlight.delete(done);
      // After abandon(), the batch was counted as lost to shutdown: a late answer changes nothing.
      if (!this.abandoned) {
        this.inFlightSpans -= count;
        if (result.code === ExportResultCode.SUCCESS) this.recordSuccess(count, rejectedCount(result, count));
        else this.recordFailure(count);
      }
      markDone();
      resultCallback(result);
    };
    const send = (): void => {
      // Given up at shutdown while it waited its turn: never sent (counted in droppedShutdown).
      if (this.abandoned) return settle({ code: ExportResultCode.FAILED, error: new Error('span export abandoned at shutdown') });
      // Until now the batch still counted as queued (and against maxQueueSize).
      this.options.onSend(count);
      this.inFlightSpans += count;
      timeout = setTimeout(() => settle({ code: ExportResultCode.FAILED, error: new Error(`span export timed out after ${this.options.exportTimeoutMillis} ms`) }), this.options.exportTimeoutMillis);
      timeout.unref();
      // Spans the exporter's own HTTP client would make must not feed back into the queue.
      context.with(suppressTracing(context.active()), () => {
        try {
          this.inner.export(spans.map(this.options.unwrap), settle);
        } catch (error) {
          settle({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
        }
      });
    };
    // One batch at a time, each on a later turn of the event loop: the SDK's forceFlush() and
    // shutdown() hand over every queued batch at once, and the OTLP exporter refuses a third
    // concurrent request (concurrencyLimit 2, otlp.ts: room for one abandoned request).
    this.turn = this.turn.then(() => new Promise<void>((next) => {
      setImmediate(send);
      void done.then(next);
    }));
  }

  /** The counters so far. */
  stats(): ExportOutcomes {
    return { ...this.outcomes };
  }

  /** Resolves when every batch handed over so far has been answered or timed out. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Stops counting what is in flight and says how many spans that was (for `droppedShutdown`). */
  abandon(): number {
    this.abandoned = true;
    const lost = this.inFlightSpans;
    this.inFlightSpans = 0;
    return lost;
  }

  /** The SDK's processor calls this at the end of its shutdown; the inner exporter is shut down by the owner, under its deadline. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return this.settled();
  }

  // Reported once per episode, with the number, not once per batch: a dead backend must not
  // turn into a log flood.
  private recordFailure(spans: number): void {
    this.outcomes.droppedExportFailed += spans;
    this.outcomes.failedExports += 1;
    if (this.failEpisode === 0) this.options.warn?.({ dropped_spans: spans }, 'span export failed (backend down, hanging or answering garbage): dropping spans');
    this.failEpisode += spans;
  }

  private recordSuccess(spans: number, rejected: number): void {
    this.outcomes.exported += spans - rejected;
    this.outcomes.droppedRejected += rejected;
    if (this.failEpisode > 0) this.options.warn?.({ dropped_spans: this.failEpisode }, 'span export works again');
    this.failEpisode = 0;
  }
}
