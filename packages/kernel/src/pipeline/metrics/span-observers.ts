import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Span processors that must see every recorded span, sampled or not: metrics count every
 * request, so they cannot sit behind the tail sampler (which forwards only what it keeps, and
 * where `spanProcessors` of startStitch sit). startStitch puts `observingProcessor` in the chain
 * after budgets (so a violation mark is on the span) and before the tail sampler; with no
 * observer registered it costs one empty loop per span.
 */
const observers = new Set<SpanProcessor>();

/** Adds an observer; the returned function removes it. */
export function addSpanObserver(observer: SpanProcessor): () => void {
  observers.add(observer);
  return () => {
    observers.delete(observer);
  };
}

/** The one processor startStitch registers; it fans out to the observers of the moment. */
export const observingProcessor: SpanProcessor = {
  onStart(span: Span, parentContext: Context): void {
    for (const observer of observers) observer.onStart(span, parentContext);
  },
  onEnd(span: ReadableSpan): void {
    // Telemetry never breaks the host: a failing observer loses its own count, nothing else.
    for (const observer of observers) {
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
