import { SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '@stitch/contract';
import { LocalTrace, localTraceOf, trackSpan } from './local-trace.js';
import type { SamplingReason } from './local-trace.js';

export interface TailSamplingOptions {
  /** Local traces held at once; a root starting past this is decided by the head alone (and counted). */
  readonly maxTraces: number;
  /** Ended spans held at once across all traces; past this, unsampled spans are dropped (and counted). */
  readonly maxSpans: number;
  /** A root open longer than this is evicted (see `tracesEvicted`); default 10 minutes. */
  readonly maxTraceAgeMillis?: number;
}

/** Counters of the tail sampler, readable at any time (`samplingStats()`). */
export interface SamplingStats {
  /** Local traces open right now, and ended spans held for them. */
  tracesOpen: number;
  spansHeld: number;
  /** Traces exported, by the first reason that kept them. */
  tracesKept: Record<Exclude<SamplingReason, 'unsampled'>, number>;
  /** Head-unsampled traces nothing asked to keep: dropped with their spans, as designed. */
  tracesDropped: number;
  spansDropped: number;
  /** Memory bounds hit: roots not held (past maxTraces), spans not held (past maxSpans). */
  tracesOverflowed: number;
  spansOverflowed: number;
  /** Roots still open after maxTraceAgeMillis (never ended): their slot was freed. */
  tracesEvicted: number;
}

/**
 * The in-process tail sampler. It sits in front of the export processor and, per local trace
 * (everything under one local root span), either forwards spans as they end — head-sampled
 * traces, which need no waiting — or holds them until the root ends and then forwards them all
 * if the trace had an error status, a budget violation or a security mark, and drops them
 * otherwise. The decision is written on the root as `stitch.sampling.reason` in `onEnding`,
 * the last moment the SDK (2.x) lets a processor change a span.
 *
 * Register it after the budget processor: its `onEnding` must see the violation mark.
 *
 * @example
 *   const tail = new TailSamplingProcessor(new BoundedBatchSpanProcessor(exporter, options), { maxTraces: 1024, maxSpans: 16384 });
 */
/** All-zero counters: a fresh processor's, and what a disabled kernel reports. */
export function emptySamplingStats(): SamplingStats {
  return {
    tracesOpen: 0,
    spansHeld: 0,
    tracesKept: { head: 0, error: 0, perf_violation: 0, security: 0 },
    tracesDropped: 0,
    spansDropped: 0,
    tracesOverflowed: 0,
    spansOverflowed: 0,
    tracesEvicted: 0,
  };
}

export class TailSamplingProcessor implements SpanProcessor {
  private readonly counters: SamplingStats = emptySamplingStats();
  // Open local traces, oldest first, threaded through LocalTrace.olderOpen/newerOpen.
  private oldestOpen: LocalTrace | undefined;
  private newestOpen: LocalTrace | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly next: SpanProcessor,
    private readonly options: TailSamplingOptions,
  ) {
    const maxAgeMillis = options.maxTraceAgeMillis ?? 600_000;
    this.sweeper = setInterval(() => this.evictOlderThan(Date.now() - maxAgeMillis), Math.min(maxAgeMillis, 60_000));
    this.sweeper.unref();
  }

  onStart(span: Span, parentContext: Context): void {
    const parentSpan = trace.getSpan(parentContext);
    if (parentSpan !== undefined) {
      // A parent we track is a local span of this process (valid ids, not remote): no id check.
      const tracked = localTraceOf(parentSpan);
      if (tracked !== undefined) {
        if (!tracked.closed) trackSpan(span, tracked);
        return;
      }
      // A child of a local span we do not track (its root overflowed, or ended already) stays
      // untracked: its own sampled flag decides, in onEnd.
      const parent = parentSpan.spanContext();
      if (parent.isRemote !== true && trace.isSpanContextValid(parent)) return;
    }
    if (this.counters.tracesOpen >= this.options.maxTraces) {
      this.counters.tracesOverflowed += 1;
      return;
    }
    this.counters.tracesOpen += 1;
    const local = new LocalTrace(span, isSampled(span), Date.now());
    local.olderOpen = this.newestOpen;
    if (this.newestOpen === undefined) this.oldestOpen = local;
    else this.newestOpen.newerOpen = local;
    this.newestOpen = local;
    trackSpan(span, local);
  }

  onEnding(span: Span): void {
    const local = localTraceOf(span);
    if (local === undefined) return;
    if (local.keepReason === undefined) {
      if (span.status.code === SpanStatusCode.ERROR) local.keepReason = 'error';
      else if (isSecurityMarked(span.attributes[SpanAttr.security])) local.keepReason = 'security';
    }
    if (local.root === span) span.setAttribute(SpanAttr.samplingReason, decide(local));
  }

  onEnd(span: ReadableSpan): void {
    const local = localTraceOf(span);
    if (local === undefined || local.closed) {
      this.forwardUntracked(span, local);
      return;
    }
    if (local.headSampled) {
      this.next.onEnd(span);
    } else if (local.keepReason !== undefined && local.root !== span) {
      // Kept whatever happens next: no reason to hold it.
      this.next.onEnd(asSampled(span));
    } else if (local.root !== span) {
      this.hold(local, span);
    }
    if (local.root === span) this.close(local, span);
  }

  /** A snapshot of the counters. */
  stats(): SamplingStats {
    return { ...this.counters, tracesKept: { ...this.counters.tracesKept } };
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    clearInterval(this.sweeper);
    return this.next.shutdown();
  }

  /** Frees the slots of roots started before `cutoffMillis` that never ended. */
  evictOlderThan(cutoffMillis: number): void {
    for (let local = this.oldestOpen, newer: LocalTrace | undefined; local !== undefined; local = newer) {
      newer = local.newerOpen;
      if (local.startedAtMillis > cutoffMillis) continue;
      this.counters.tracesEvicted += 1;
      this.release(local);
      if (decide(local) === 'unsampled') this.counters.spansDropped += local.held?.length ?? 0;
      else if (!local.headSampled) for (const held of local.held ?? []) this.next.onEnd(asSampled(held));
      local.held = undefined;
    }
  }

  private release(local: LocalTrace): void {
    if (local.closed) return; // already out of the list (evicted, then its root ended)
    local.closed = true;
    const { olderOpen, newerOpen } = local;
    if (olderOpen === undefined) this.oldestOpen = newerOpen;
    else olderOpen.newerOpen = newerOpen;
    if (newerOpen === undefined) this.newestOpen = olderOpen;
    else newerOpen.olderOpen = olderOpen;
    local.olderOpen = undefined;
    local.newerOpen = undefined;
    this.counters.tracesOpen -= 1;
    this.counters.spansHeld -= local.held?.length ?? 0;
  }

  private hold(local: LocalTrace, span: ReadableSpan): void {
    if (this.counters.spansHeld >= this.options.maxSpans) {
      local.overflowed += 1;
      this.counters.spansOverflowed += 1;
      return;
    }
    (local.held ??= []).push(span);
    this.counters.spansHeld += 1;
  }

  private close(local: LocalTrace, root: ReadableSpan): void {
    this.release(local);
    const reason = decide(local);
    if (reason === 'unsampled') {
      this.counters.tracesDropped += 1;
      this.counters.spansDropped += (local.held?.length ?? 0) + 1;
    } else {
      this.counters.tracesKept[reason] += 1;
      // Head-sampled spans, the root included, went on as they ended (onEnd).
      if (!local.headSampled) {
        for (const held of local.held ?? []) this.next.onEnd(asSampled(held));
        this.next.onEnd(asSampled(root));
      }
    }
    local.held = undefined;
  }

  // A span that ends after its root (fire-and-forget work) follows the root's decision; one
  // never tracked follows its own sampled flag.
  private forwardUntracked(span: ReadableSpan, local: LocalTrace | undefined): void {
    const keep = local === undefined ? isSampled(span) : decide(local) !== 'unsampled';
    if (keep) this.next.onEnd(isSampled(span) ? span : asSampled(span));
    else if (local === undefined) this.counters.spansOverflowed += 1; // its root was past maxTraces
    else this.counters.spansDropped += 1;
  }
}

/**
 * The span as exported once the tail kept its trace: same data, sampled flag on. The flag then
 * tells the truth (the trace was sampled, late), and processors that export only sampled spans
 * (the SDK's Simple and Batch processors) accept it.
 */
function asSampled(span: ReadableSpan): ReadableSpan {
  const spanContext = span.spanContext();
  if ((spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED) return span;
  const sampledContext = { ...spanContext, traceFlags: spanContext.traceFlags | TraceFlags.SAMPLED };
  const view = Object.create(span) as ReadableSpan & { spanContext(): typeof sampledContext };
  Object.defineProperty(view, 'spanContext', { value: () => sampledContext });
  return view;
}

function decide(local: LocalTrace): SamplingReason {
  if (local.headSampled) return 'head';
  return local.keepReason ?? 'unsampled';
}

function isSecurityMarked(value: unknown): boolean {
  return value !== undefined && value !== false && value !== '';
}

function isSampled(span: { spanContext(): { traceFlags: number } }): boolean {
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}
