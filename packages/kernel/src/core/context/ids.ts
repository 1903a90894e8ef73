import { randomBytes, randomUUID } from 'node:crypto';
import { TraceFlags } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';

// Ids are drawn from a pooled buffer: one randomBytes() call per 512 ids instead of one per id.
// crypto-quality randomness matters here because W3C §"Privacy" asks trace ids not to be
// predictable, and a trace id derived from a run id must not collide with a random one.
const POOL_BYTES = 8 * 1024;
let pool = randomBytes(POOL_BYTES);
let offset = 0;

function take(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

// Set only for the duration of one synchronous startSpan() call by withNextTraceId().
let presetTraceId: string | undefined;

/**
 * Runs `fn` with the next newTraceId() call answering `traceId` instead of a random one. The
 * edge uses it to continue a trusted `x-trace-id` (a trace id without a parent span): the
 * server span becomes a root span of that trace, not the child of an invented parent. It works
 * because the tracer provider of startStitch() draws its ids from newTraceId(), synchronously.
 */
export function withNextTraceId<T>(traceId: string, fn: () => T): T {
  presetTraceId = traceId;
  try {
    return fn();
  } finally {
    presetTraceId = undefined;
  }
}

/** A new W3C trace id: 32 lowercase hex digits, never all zero. */
export function newTraceId(): string {
  if (presetTraceId !== undefined) {
    const preset = presetTraceId;
    presetTraceId = undefined;
    return preset;
  }
  const id = take(16);
  return id === ZERO_TRACE ? newTraceId() : id;
}

/**
 * A new non-sampled span context of a new trace: what a disabled kernel gives each request and
 * root, so that logs, the SQL comment and the response headers have ids. Both ids come from one
 * hex conversion of the pool (one native call instead of two per request).
 */
export function newUnsampledSpanContext(): SpanContext {
  if (presetTraceId !== undefined) return { traceId: newTraceId(), spanId: newSpanId(), traceFlags: TraceFlags.NONE };
  const ids = take(24);
  const traceId = ids.slice(0, 32);
  const spanId = ids.slice(32);
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return newUnsampledSpanContext();
  return { traceId, spanId, traceFlags: TraceFlags.NONE };
}

/** A new W3C span id: 16 lowercase hex digits, never all zero. */
export function newSpanId(): string {
  const id = take(8);
  return id === ZERO_SPAN ? newSpanId() : id;
}

/** A new request id (a UUID v4: valid under RequestIdSchema, and what most gateways emit). */
export function newRequestId(): string {
  // randomUUID(), not the pool: measured, a UUID built from the pool's hex (one conversion, six
  // slices) cost more than Node's own (about 280 against 230 ns).
  return randomUUID();
}
