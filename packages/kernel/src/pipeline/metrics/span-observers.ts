import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Span processors that must see every recorded span, sampled or not: metrics count every
 * request, so they cannot sit behind the tail sampler (which forwards only what it keeps, and
 * where `spanProcessors` of startStitch sit). Each pipeline (one per startStitch, or the one
 * stitchSdkOptions builds) has its own set: `createMetrics({ stitch })` observes that kernel's
 * spans only, so a second kernel in the same process (a test's, one started after the first
 * shut down) never adds to the first one's counts. The pipeline puts `processor` in its chain
 * after budgets (so a violation mark is on the span) and before the tail sampler; with no
 * observer registered it costs one empty loop per span.
 *
 * While an observer is registered, the head sampler also records the local root of every piece
 * of work it does not sample (stitch-sampler.ts, `observed`), so the observers count every
 * request even with the tail sampler off.
 */
export class SpanObservers {
  private readonly observers = new Set<SpanProcessor>();

  /** Whether any observer is registered (the head sampler asks on every root it does not sample). */
  get active(): boolean {
    return this.observers.size > 0;
  }

  /** Adds an observer; the returned function removes it. */
  add(observer: SpanProcessor): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  /** The one processor the pipeline registers; it fans out to the observers of the moment. */
  readonly processor: SpanProcessor = {
    onStart: (span: Span, parentContext: Context): void => {
      for (const observer of this.observers) observer.onStart(span, parentContext);
    },
    onEnd: (span: ReadableSpan): void => {
      // Telemetry never breaks the host: a failing observer loses its own count, nothing else.
      for (const observer of this.observers) {
        try {
          observer.onEnd(span);
        } catch {
          // counted by nothing on purpose: an observer that throws is a bug in it, caught by its tests
        }
      }
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

/**
 * What reaches the export chain when the tail sampler is off: sampled spans only. A root the
 * head sampler recorded for the observers alone (not sampled) ends here; no exporter and no
 * `spanProcessors` of the caller sees it.
 */
export class SampledOnlyProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    if ((span.spanContext().traceFlags & 1) === 1) this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & 1) === 1) this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
