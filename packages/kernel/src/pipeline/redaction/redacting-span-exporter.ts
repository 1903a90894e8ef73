import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactSpan } from './redact-span.js';
import { defaultRedactor } from './redactor.js';
import type { Redactor } from './redactor.js';

/**
 * Wraps any span exporter (OTLP, Zipkin, console) so that what it sends is redacted.
 *
 * @example
 *   new BatchSpanProcessor(new RedactingSpanExporter(new OTLPTraceExporter({ url })));
 */
export class RedactingSpanExporter implements SpanExporter {
  constructor(
    private readonly next: SpanExporter,
    private readonly redactor: Redactor = defaultRedactor(),
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.next.export(spans.map((span) => redactSpan(span, this.redactor)), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush?.() ?? Promise.resolve();
  }
}
