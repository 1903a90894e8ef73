import { randomBytes } from 'node:crypto';
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

// A request id's 36 characters are written into one buffer and read back as one string.
// randomUUID() (about 150 ns) joins 20 pieces into a rope that every later reader flattens
// first: Node's header check (checkInvalidHeaderChar), the log fragment, the SQL comment; in
// process, making it, checking it as a header and writing it measured 460–600 ns that way and
// 255–280 this way. (A UUID of the pool's hex cut in five slices is a rope too: slower still.)
const UUID_TEXT = Buffer.alloc(36, '-');
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const UUID_DIGITS_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** A new request id (a UUID v4: valid under RequestIdSchema, and what most gateways emit). */
export function newRequestId(): string {
  if (offset + 16 > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  for (let at = 0; at < 16; at += 1) {
    let byte = pool[offset + at] as number;
    // RFC 9562 §5.4: version 4 in byte 6's high nibble, variant 10 in byte 8's top bits.
    if (at === 6) byte = (byte & 0x0f) | 0x40;
    else if (at === 8) byte = (byte & 0x3f) | 0x80;
    const digitAt = UUID_DIGITS_AT[at] as number;
    UUID_TEXT[digitAt] = HEX_DIGITS[byte >> 4] as number;
    UUID_TEXT[digitAt + 1] = HEX_DIGITS[byte & 0x0f] as number;
  }
  offset += 16;
  return UUID_TEXT.toString('latin1');
}
