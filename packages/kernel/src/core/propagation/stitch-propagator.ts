import { createContextKey, trace } from '@opentelemetry/api';
import type { Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { formatTraceparent, parseTraceparent } from './traceparent.js';
import type { TraceparentRejection } from './traceparent.js';
import { parseTracestate } from './tracestate.js';
import type { TracestateRejection } from './tracestate.js';

export const TRACEPARENT_HEADER = 'traceparent';
/** Level 2's `random-trace-id` flag: the trace id's right-most 7 bytes were chosen at random. */
const RANDOM_FLAG = 0x02;
// Whether the current trace's id is random, as its caller said (extract) or as we made it. The
// SDK gives every local span flags from its sampler only, so the random bit of a continued trace
// would be lost at the first child; the context carries it to every local descendant instead.
const TRACE_ID_RANDOM = createContextKey('stitch.trace_id_random');

/**
 * Records whether the trace id of `ctx` was randomly generated, for `traceparent`'s random flag.
 * A trace the process starts itself needs no mark: its ids come from a random generator.
 */
export function markTraceIdRandom(ctx: Context, random: boolean): Context {
  return ctx.setValue(TRACE_ID_RANDOM, random);
}

function traceIdIsRandom(ctx: Context, spanContext: SpanContext): boolean {
  const marked = ctx.getValue(TRACE_ID_RANDOM);
  if (typeof marked === 'boolean') return marked;
  // An unmarked remote parent (set by hand, not extracted) says so in its own flags; an unmarked
  // local span belongs to a trace this process started.
  return spanContext.isRemote === true ? (spanContext.traceFlags & RANDOM_FLAG) !== 0 : true;
}
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
    const random = traceIdIsRandom(ctx, spanContext) ? RANDOM_FLAG : 0;
    setter.set(carrier, TRACEPARENT_HEADER, formatTraceparent({ ...spanContext, traceFlags: spanContext.traceFlags | random }));
    const state = spanContext.traceState?.serialize();
    if (state !== undefined && state !== '') setter.set(carrier, TRACESTATE_HEADER, state);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const found = extractTraceContext(carrier, getter);
    if (!found.ok) return ctx;
    return trace.setSpanContext(markTraceIdRandom(ctx, (found.spanContext.traceFlags & RANDOM_FLAG) !== 0), found.spanContext);
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
