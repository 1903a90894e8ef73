import { trace } from '@opentelemetry/api';
import type { Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { formatTraceparent, parseTraceparent } from './traceparent.js';
import type { TraceparentRejection } from './traceparent.js';
import { parseTracestate } from './tracestate.js';
import type { TracestateRejection } from './tracestate.js';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** What extraction found, for the edge to record (e.g. as span attributes on the server span). */
export type TraceContextExtraction =
  | { readonly ok: true; readonly spanContext: SpanContext; readonly tracestateRejected?: TracestateRejection }
  | { readonly ok: false; readonly reason: TraceparentRejection };

/**
 * Reads `traceparent`/`tracestate` from a carrier, spec-exact: an invalid `traceparent` means no
 * parent (and its `tracestate` is ignored, per "if the vendor failed to parse traceparent, it
 * MUST NOT attempt to parse tracestate"); an invalid `tracestate` is dropped whole while the
 * valid `traceparent` is still continued.
 *
 * @example
 *   const found = extractTraceContext(req.headers, defaultTextMapGetter);
 *   if (!found.ok) log.debug({ reason: found.reason }, 'traceparent ignored');
 */
export function extractTraceContext(carrier: unknown, getter: TextMapGetter): TraceContextExtraction {
  const parsed = parseTraceparent(getter.get(carrier, TRACEPARENT_HEADER));
  if (!parsed.ok) return parsed;
  const { traceId, parentId, traceFlags } = parsed.traceparent;
  const state = parseTracestate(getter.get(carrier, TRACESTATE_HEADER));
  const spanContext: SpanContext = {
    traceId,
    spanId: parentId,
    traceFlags,
    isRemote: true,
    ...(state.ok && state.tracestate.size > 0 && { traceState: state.tracestate }),
  };
  return state.ok ? { ok: true, spanContext } : { ok: true, spanContext, tracestateRejected: state.reason };
}

/**
 * The W3C Trace Context propagator of the kernel, an OpenTelemetry `TextMapPropagator`.
 * Differences from `@opentelemetry/core`'s W3CTraceContextPropagator are listed and tested in
 * `otel-differences.test.ts`; in each the spec is followed.
 */
class StitchTraceContextPropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(ctx);
    // Suppressed contexts are the exporter's own requests: they must not carry a trace.
    if (spanContext === undefined || isTracingSuppressed(ctx) || !trace.isSpanContextValid(spanContext)) return;
    setter.set(carrier, TRACEPARENT_HEADER, formatTraceparent(spanContext));
    const state = spanContext.traceState?.serialize();
    if (state !== undefined && state !== '') setter.set(carrier, TRACESTATE_HEADER, state);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const found = extractTraceContext(carrier, getter);
    return found.ok ? trace.setSpanContext(ctx, found.spanContext) : ctx;
  }

  fields(): string[] {
    return [TRACEPARENT_HEADER, TRACESTATE_HEADER];
  }
}

/**
 * The propagator the edge and HTTP-out adapters use, whether or not the kernel is enabled.
 * Trace context only; baggage goes through extractBaggage()/injectBaggage(), by trust.
 *
 * @example
 *   const parent = stitchPropagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
 *   stitchPropagator.inject(context.active(), outgoingHeaders, defaultTextMapSetter);
 */
export const stitchPropagator: TextMapPropagator = new StitchTraceContextPropagator();
