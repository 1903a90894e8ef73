import { TraceFlags } from '@opentelemetry/api';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { raceDeadline } from '../../core/internal/race-deadline.js';
import { CountingSpanExporter } from './counting-span-exporter.js';

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

// The span a sampled view stands for (see asSampled).
const ORIGINAL = Symbol('stitch.export.original');

/**
 * OpenTelemetry's `BatchSpanProcessor` with a counting exporter, and the three things the SDK's
 * processor (sdk-trace 2.12, `BatchSpanProcessorBase`) does not do, kept in front of it:
 *
 * - **Counted drops on a full queue.** The SDK drops past `maxQueueSize` with a `diag.debug`
 *   line and a self-observability metric that needs a MeterProvider: no readable count. The
 *   bound is kept (and counted) here, with the SDK given the same size, so the SDK's own drop
 *   never fires: a span reaches it only when this queue has room. A batch counts as queued
 *   until it is sent, so at most `maxQueueSize` spans wait, beside the one batch in flight.
 * - **Head-unsampled spans the tail keep forwards.** The SDK's `onEnd` ignores spans without the
 *   sampled flag; the tail sampler keeps head-unsampled traces (errors, budget violations). Such
 *   a span goes in as a view whose `spanContext()` says sampled, and the counting exporter sends
 *   the original, flags unchanged.
 * - **A bounded shutdown.** The SDK's `shutdown()` waits for every batch's export (up to
 *   `exportTimeoutMillis` each, more with the exporter's retries) and skips the exporter's
 *   shutdown when a batch failed. Here it is raced against `shutdownTimeoutMillis`; what is still
 *   queued or in flight then is counted in `droppedShutdown`.
 *
 * Nothing here runs on the request's path but two counters and the SDK's array push: the counting
 * exporter sends one batch at a time, each on a later turn of the event loop, and settles it
 * (counted as failed) after `exportTimeoutMillis` whatever the exporter does.
 *
 * @example
 *   const processor = new BoundedBatchSpanProcessor(exporter, { maxQueueSize: 2048, maxExportBatchSize: 512,
 *     scheduledDelayMillis: 1000, exportTimeoutMillis: 10000, shutdownTimeoutMillis: 5000 });
 */
export class BoundedBatchSpanProcessor implements SpanProcessor {
  private readonly batch: BatchSpanProcessor;
  private readonly counting: CountingSpanExporter;
  /** Spans accepted and not yet sent: the SDK's queue, and batches the counting exporter holds until their turn. */
  private queued = 0;
  private isShutdown = false;
  private shutdownPromise: Promise<void> | undefined;
  private dropEpisode = 0;
  private readonly counters = { droppedQueueFull: 0, droppedShutdown: 0 };

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: BoundedBatchOptions,
  ) {
    this.counting = new CountingSpanExporter(exporter, {
      exportTimeoutMillis: options.exportTimeoutMillis,
      onSend: (spans) => (this.queued -= spans),
      unwrap: (span) => (span as ReadableSpan & { [ORIGINAL]?: ReadableSpan })[ORIGINAL] ?? span,
      ...(options.warn !== undefined && { warn: options.warn }),
    });
    this.batch = new BatchSpanProcessor(this.counting, {
      maxQueueSize: options.maxQueueSize,
      maxExportBatchSize: Math.min(options.maxExportBatchSize, options.maxQueueSize),
      scheduledDelayMillis: options.scheduledDelayMillis,
      // The counting exporter settles each batch by then; the SDK's own timer is only a backstop.
      exportTimeoutMillis: options.exportTimeoutMillis,
    });
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown) {
      this.counters.droppedShutdown += 1;
      return;
    }
    if (this.queued >= this.options.maxQueueSize) {
      this.counters.droppedQueueFull += 1;
      if (this.dropEpisode === 0) this.options.warn?.({ max_queue_size: this.options.maxQueueSize }, 'span export queue is full: dropping spans');
      this.dropEpisode += 1;
      return;
    }
    if (this.dropEpisode > 0) {
      this.options.warn?.({ dropped_spans: this.dropEpisode }, 'span export queue accepts spans again');
      this.dropEpisode = 0;
    }
    this.queued += 1;
    this.batch.onEnd(asSampled(span));
  }

  /** A snapshot of the counters. */
  stats(): ExportStats {
    return { ...this.counting.stats(), ...this.counters, queued: this.queued };
  }

  /** Exports everything queued now and waits for every batch in flight; failures are counted, never thrown. */
  async forceFlush(): Promise<void> {
    await this.batch.forceFlush().catch(() => undefined);
    await this.counting.settled();
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
    const startedMillis = performance.now();
    const flushed = this.batch
      .shutdown()
      .catch(() => undefined)
      .then(() => this.counting.settled());
    const outcome = await raceDeadline(flushed, this.options.shutdownTimeoutMillis);
    const closed = this.exporter.shutdown().catch(() => undefined);
    if (outcome === 'timeout') {
      this.counters.droppedShutdown += this.queued + this.counting.abandon();
      this.queued = 0;
      // Out of time: the exporter closes its sockets on its own, unwaited. Not even a timer here,
      // so a caller racing the same deadline (createStitch) sees the provider stopped by then.
      return;
    }
    // The exporter's own shutdown may wait on sockets: it gets what is left of the deadline.
    await raceDeadline(closed, Math.max(0, this.options.shutdownTimeoutMillis - (performance.now() - startedMillis)));
  }
}

/** `span`, or a view of it that says sampled, so that the SDK's processor takes it. */
function asSampled(span: ReadableSpan): ReadableSpan {
  const spanContext = span.spanContext();
  if ((spanContext.traceFlags & TraceFlags.SAMPLED) !== 0) return span;
  const sampled = { ...spanContext, traceFlags: spanContext.traceFlags | TraceFlags.SAMPLED };
  // Object.create keeps the SDK's prototype getters and fields (resource, attributes) readable.
  const view = Object.create(span) as ReadableSpan;
  Object.defineProperties(view, { spanContext: { value: () => sampled }, [ORIGINAL]: { value: span } });
  return view;
}
