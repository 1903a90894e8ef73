import { SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';

/** Records `error` on `span` as OpenTelemetry's exception event and sets status ERROR. */
export function recordError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  if (error instanceof Error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.recordException(String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
}
