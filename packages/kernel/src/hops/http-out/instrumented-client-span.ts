import { SpanKind } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '@stitch/contract';

/** The instrumentations whose outgoing-call spans HTTP out enriches instead of opening its own. */
export const HTTP_INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-http';
export const UNDICI_INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-undici';

/** Told of every instrumentation client span as it starts, with the context it starts in. */
export type InstrumentedClientSpanListener = (scope: string, parentContext: Context) => void;

const listeners = new Set<InstrumentedClientSpanListener>();

/**
 * Listens for instrumentation-http/undici client spans (HTTP out's undici subscriber uses it to
 * step aside, undici-channels.ts); returns the function that stops listening.
 */
export function onInstrumentedClientSpan(listener: InstrumentedClientSpanListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * One client span per outgoing call (issue 13): the CLIENT span that instrumentation-http or
 * instrumentation-undici opens gets, at its start, what HTTP out's own span would have carried:
 * the external-call budget mark (`stitch.component = external`; the budget is looked up by the
 * `server.address` the instrumentation sets). The tenant comes from ContextAttributesProcessor,
 * as on every span. HTTP out itself opens no span for a request the instrumentation traces.
 *
 * Registered before the budget processor, which reads the mark.
 */
export class InstrumentedClientSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    if (span.kind !== SpanKind.CLIENT) return;
    const scope = span.instrumentationScope.name;
    if (scope !== HTTP_INSTRUMENTATION_SCOPE && scope !== UNDICI_INSTRUMENTATION_SCOPE) return;
    if (span.attributes[SpanAttr.component] === undefined) span.setAttribute(SpanAttr.component, 'external');
    for (const listener of listeners) listener(scope, parentContext);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
