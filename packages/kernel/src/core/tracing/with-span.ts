import { context, trace } from '@opentelemetry/api';
import type { Attributes, Link, Span, SpanKind } from '@opentelemetry/api';
import { getKernelTracer } from './kernel-tracer.js';
import { recordError } from './record-error.js';
import { runInSpan } from './run-in-span.js';

export { recordError };

export interface WithSpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  readonly links?: Link[];
  /** Start a new trace instead of a child of the active span. */
  readonly root?: boolean;
}

const NO_OPTIONS: WithSpanOptions = {};

/**
 * Runs `fn` in a child span of the active one, on the OpenTelemetry API (so code that already
 * uses OpenTelemetry sees the same span). The span ends when `fn` returns, or when its promise
 * settles; a throw or rejection is recorded as an exception with status ERROR and rethrown
 * unchanged. Success leaves the status UNSET, as OpenTelemetry's instrumentation guidelines ask.
 *
 * When nothing records (kernel disabled, or no provider), no context is entered and no
 * attribute is touched: the cost is one no-op `startSpan`.
 *
 * @example
 *   const rows = await withSpan('invoice.load', { attributes: { 'stitch.query.name': 'invoice.by_id' } }, async (span) => {
 *     span.addEvent('cache.miss');
 *     return db.query(sql);
 *   });
 */
export function withSpan<T>(name: string, fn: (span: Span) => T): T;
export function withSpan<T>(name: string, options: WithSpanOptions, fn: (span: Span) => T): T;
export function withSpan<T>(name: string, optionsOrFn: WithSpanOptions | ((span: Span) => T), maybeFn?: (span: Span) => T): T {
  const options = typeof optionsOrFn === 'function' ? NO_OPTIONS : optionsOrFn;
  const fn = typeof optionsOrFn === 'function' ? optionsOrFn : (maybeFn as (span: Span) => T);
  const active = context.active();
  const span = getKernelTracer().startSpan(name, options, active);
  // A non-recording span carries its parent's ids (or none): entering a context for it would
  // change nothing that logs or propagation read, so skip the context switch entirely.
  if (!span.isRecording()) return fn(span);
  return runInSpan(span, trace.setSpan(active, span), fn, span);
}
