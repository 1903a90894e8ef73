import type { Context, Span } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { IncomingTrace } from './incoming-trace.js';

/**
 * The server span an OpenTelemetry instrumentation (`@opentelemetry/instrumentation-http`)
 * already opened for this request, when the edge should enrich it instead of nesting a second
 * server span under it (issue 13); undefined when the edge opens its own.
 *
 * Found through the RPC metadata the instrumentation puts in the request's context, not the
 * active span: inside Express, `instrumentation-express` makes each middleware its own active
 * span. The edge opens its own span anyway when the instrumentation's cannot carry the edge's
 * trust decision: it continued a parent from an untrusted caller (Stitch starts a new trace
 * then, as without it), or a trusted caller sent only `x-trace-id`, which it does not read.
 *
 * @example
 *   const open = findOpenServerSpan(context.active(), readIncomingTrace(req.headers), trusted);
 */
export function findOpenServerSpan(active: Context, incoming: IncomingTrace, trusted: boolean): Span | undefined {
  const metadata = getRPCMetadata(active);
  if (metadata?.type !== RPCType.HTTP || !metadata.span.isRecording()) return undefined;
  const span = metadata.span;
  if (incoming.kind === 'trace-id' && trusted) return undefined;
  if (incoming.kind === 'parent' && !trusted && span.spanContext().traceId === incoming.spanContext.traceId) return undefined;
  return span;
}
