import { defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Context, SpanContext } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';
import { TraceIdSchema } from '@stitch/contract';
import { stitchPropagator } from '../../core/propagation/index.js';

/** The legacy single-id header of seed KER260 §4.1, both ways. */
export const TRACE_ID_HEADER = 'x-trace-id';

/** What an incoming request says about the trace it belongs to. */
export type IncomingTrace =
  /** No usable trace header: start a new trace. */
  | { readonly kind: 'none' }
  /** A valid `traceparent` (with its `tracestate`): `context` holds it as the remote parent. */
  | { readonly kind: 'parent'; readonly context: Context; readonly spanContext: SpanContext }
  /** Only a valid `x-trace-id`: a trace id without a parent span. */
  | { readonly kind: 'trace-id'; readonly traceId: string };

const NONE: IncomingTrace = Object.freeze({ kind: 'none' });

/**
 * Reads the incoming trace headers without deciding trust. `traceparent` wins over
 * `x-trace-id`; an invalid one of either is ignored, never an error (telemetry never breaks
 * the host). Duplicated `traceparent` headers arrive joined by Node (`a, b`) and are invalid.
 *
 * @example
 *   const incoming = readIncomingTrace(req.headers);
 *   if (incoming.kind === 'parent') incoming.spanContext.traceId;
 */
export function readIncomingTrace(headers: IncomingHttpHeaders): IncomingTrace {
  if (headers.traceparent !== undefined) {
    const extracted = stitchPropagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const spanContext = trace.getSpanContext(extracted);
    if (spanContext !== undefined && trace.isSpanContextValid(spanContext)) {
      return { kind: 'parent', context: extracted, spanContext };
    }
  }
  const traceId = headers[TRACE_ID_HEADER];
  if (typeof traceId === 'string' && TraceIdSchema.safeParse(traceId).success) return { kind: 'trace-id', traceId };
  return NONE;
}
