import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { redactSpan } from './redact-span.js';
import { defaultRedactor } from './redactor.js';
import type { Redactor } from './redactor.js';

/**
 * Wraps the processor that exports (a BatchSpanProcessor, the tail sampler): it hands every
 * ended span on redacted, so no exporter behind it ever sees a secret. Put it last, right in
 * front of export, so samplers and budgets still read the real attributes.
 *
 * @example
 *   new BasicTracerProvider({ spanProcessors: [new RedactingSpanProcessor(new BatchSpanProcessor(exporter))] });
 */
export class RedactingSpanProcessor implements SpanProcessor {
  constructor(
    private readonly next: SpanProcessor,
    private readonly redactor: Redactor = defaultRedactor(),
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    this.next.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(redactSpan(span, this.redactor));
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
