import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Why the tail sampler kept a trace, or `unsampled` when it dropped it. Written to `stitch.sampling.reason`. */
export type SamplingReason = 'head' | 'error' | 'perf_violation' | 'security' | 'unsampled';

/**
 * The spans of one trace that started in this process under one local root (a span with no
 * parent, or a remote one), while that root is open. The head sampler, the budget processor
 * and the tail sampler share it through `localTraceOf()`.
 */
export class LocalTrace {
  /** Ended spans waiting for the root's decision (only for head-unsampled traces; made on first use). */
  held: ReadableSpan[] | undefined;
  /** First reason that forces the trace to be kept; set at most once. */
  keepReason: SamplingReason | undefined;
  /** Spans of this trace the tail sampler dropped because its memory bound was hit. */
  overflowed = 0;
  /** The root ended and the decision was made. */
  closed = false;
  /**
   * Neighbours in the tail sampler's list of open traces (oldest first): a list threaded through
   * the traces themselves, so opening and closing one costs two pointer writes, where a Set of
   * them hashed every trace on add and delete (1–2 µs a request in a real server).
   */
  olderOpen: LocalTrace | undefined;
  newerOpen: LocalTrace | undefined;

  constructor(
    readonly root: object,
    readonly headSampled: boolean,
    readonly startedAtMillis: number,
  ) {}
}

// Stored on the span object under a private symbol, not in a WeakMap: a span that is never
// ended takes it along when collected either way, but a WeakMap entry per span cost 10% of the
// span path in GC (ephemeron processing) and hashing, measured with bench/http-route.bench.ts.
const LOCAL_TRACE = Symbol('stitch.localTrace');

interface Tagged {
  [LOCAL_TRACE]?: LocalTrace;
}

/** The local trace `span` belongs to, if the tail sampler is holding it. */
export function localTraceOf(span: object | undefined): LocalTrace | undefined {
  return span === undefined ? undefined : (span as Tagged)[LOCAL_TRACE];
}

/** Internal: the tail sampler registers every span it tracks. */
export function trackSpan(span: object, trace: LocalTrace): void {
  (span as Tagged)[LOCAL_TRACE] = trace;
}

/**
 * Forces the trace `span` belongs to to be exported whatever the head decided. Spans started
 * in it afterwards are sampled, so calls made from then on tell downstream services to sample
 * too. Returns false when the span is not part of a held trace (nothing to force: already
 * head-sampled, or tail sampling off).
 */
export function keepTraceOf(span: object | undefined, reason: SamplingReason): boolean {
  const trace = localTraceOf(span);
  if (trace === undefined) return false;
  trace.keepReason ??= reason;
  return true;
}
