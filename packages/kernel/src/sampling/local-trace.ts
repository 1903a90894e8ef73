import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Why the tail sampler kept a trace, or `unsampled` when it dropped it. Written to `stitch.sampling.reason`. */
export type SamplingReason = 'head' | 'rule' | 'error' | 'perf_violation' | 'security' | 'unsampled';

/**
 * The spans of one trace that started in this process under one local root (a span with no
 * parent, or a remote one), while that root is open. The head sampler, the budget processor
 * and the tail sampler share it through `localTraceOf()`.
 */
export class LocalTrace {
  /** Ended spans waiting for the root's decision (only for head-unsampled traces). */
  readonly held: ReadableSpan[] = [];
  /** First reason that forces the trace to be kept; set at most once. */
  keepReason: SamplingReason | undefined;
  /** Spans of this trace the tail sampler dropped because its memory bound was hit. */
  overflowed = 0;

  constructor(
    readonly root: object,
    readonly headSampled: boolean,
  ) {}
}

// Keyed by the span object, so a span that is never ended (a leak in user code) takes its
// entry with it when collected, and a lookup costs one WeakMap hit.
const bySpan = new WeakMap<object, LocalTrace>();

/** The local trace `span` belongs to, if the tail sampler is holding it. */
export function localTraceOf(span: object | undefined): LocalTrace | undefined {
  return span === undefined ? undefined : bySpan.get(span);
}

/** Internal: the tail sampler registers every span it tracks. */
export function trackSpan(span: object, trace: LocalTrace): void {
  bySpan.set(span, trace);
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
