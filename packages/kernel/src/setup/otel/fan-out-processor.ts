import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Hands every span to each processor; one that throws never stops the others. */
export class FanOutProcessor implements SpanProcessor {
  constructor(private readonly processors: readonly SpanProcessor[]) {}

  onStart(span: Span, parentContext: Context): void {
    for (const p of this.processors) p.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    for (const p of this.processors) {
      try {
        p.onEnd(span);
      } catch {
        // Telemetry never breaks the host.
      }
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush().catch(() => undefined)));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown().catch(() => undefined)));
  }
}
