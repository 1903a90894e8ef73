import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '@stitch/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { startStitch } from '../../setup/start-stitch.js';
import type { StitchHandle } from '../../setup/start-stitch.js';
import type { TracingOptionsInput } from '../../core/tracing/tracing-options.js';
import { withSpan } from '../../core/tracing/with-span.js';
import { markSecurityRelevant } from './mark-security.js';
import { StitchSampler } from './stitch-sampler.js';
import { TailSamplingProcessor } from './tail-sampling-processor.js';

/** Collects what the tail forwards, whatever its sampled flag (the SDK's Simple processor would filter). */
function collector(): SpanProcessor & { spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  return { spans, onStart() {}, onEnd: (span) => void spans.push(span), forceFlush: async () => {}, shutdown: async () => {} };
}

let stitch: StitchHandle | undefined;
afterEach(async () => {
  await stitch?.shutdown();
  stitch = undefined;
});

function start(tracing: TracingOptionsInput): ReadableSpan[] {
  const sink = collector();
  stitch = startStitch({ serviceName: 'tail-test', tracing, spanProcessors: [sink], env: {} });
  return sink.spans;
}

const reasonOf = (span: ReadableSpan | undefined) => span?.attributes[SpanAttr.samplingReason];

describe('tail sampling', () => {
  it('forwards a head-sampled trace span by span, before its root ends, with reason head', () => {
    const spans = start({ sampling: { ratio: 1 } });
    withSpan('root', { root: true }, () => {
      withSpan('child', () => undefined);
      expect(spans.map((s) => s.name)).toEqual(['child']);
    });
    expect(spans.map((s) => s.name)).toEqual(['child', 'root']);
    expect(reasonOf(spans[1])).toBe('head');
    expect(stitch!.samplingStats().tracesKept.head).toBe(1);
  });

  it('drops a head-unsampled trace in which nothing happened, and counts it', () => {
    const spans = start({ sampling: { ratio: 0 } });
    withSpan('root', { root: true }, () => {
      withSpan('child', () => undefined);
    });
    expect(spans).toEqual([]);
    const stats = stitch!.samplingStats();
    expect(stats).toMatchObject({ tracesDropped: 1, spansDropped: 2, tracesOpen: 0, spansHeld: 0 });
  });

  it('keeps every span of a head-unsampled trace that had an error, marked sampled, with reason error', async () => {
    const spans = start({ sampling: { ratio: 0 } });
    await withSpan('root', { root: true }, async () => {
      withSpan('fine', () => undefined);
      await expect(withSpan('broken', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    });
    expect(spans.map((s) => s.name).sort()).toEqual(['broken', 'fine', 'root']);
    const root = spans.find((s) => s.name === 'root');
    expect(reasonOf(root)).toBe('error');
    expect(spans.every((s) => (s.spanContext().traceFlags & 1) === 1)).toBe(true);
    expect(spans.find((s) => s.name === 'broken')?.status.code).toBe(SpanStatusCode.ERROR);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  });

  it('keeps a trace marked security-relevant, and samples the calls made after the mark', () => {
    const spans = start({ sampling: { ratio: 0 } });
    const carriers: Record<string, string>[] = [];
    withSpan('root', { root: true }, () => {
      withSpan('before', () => propagation.inject(context.active(), (carriers[0] = {})));
      markSecurityRelevant('auth_failure');
      withSpan('after', () => propagation.inject(context.active(), (carriers[1] = {})));
    });
    // Not sampled, then sampled; random (Level 2) throughout: this process made the trace id.
    expect(carriers[0]?.traceparent).toMatch(/-02$/);
    expect(carriers[1]?.traceparent).toMatch(/-03$/);
    expect(reasonOf(spans.find((s) => s.name === 'root'))).toBe('security');
    expect(spans.map((s) => s.name).sort()).toEqual(['after', 'before', 'root']);
  });

  it('holds at most maxSpans ended spans, dropping and counting the rest', () => {
    const spans = start({ sampling: { ratio: 0, tail: { maxSpans: 2 } } });
    withSpan('root', { root: true }, (root) => {
      for (let i = 0; i < 5; i += 1) withSpan(`child-${i}`, () => undefined);
      root.setStatus({ code: SpanStatusCode.ERROR });
    });
    expect(spans.map((s) => s.name)).toEqual(['child-0', 'child-1', 'root']);
    expect(stitch!.samplingStats()).toMatchObject({ spansOverflowed: 3, spansHeld: 0 });
  });

  it('holds at most maxTraces traces: past it the head decides alone, and the overflow is counted', () => {
    const spans = start({ sampling: { ratio: 0, tail: { maxTraces: 1 } } });
    withSpan('first', { root: true }, (first) => {
      withSpan('second', { root: true }, (second) => second.setStatus({ code: SpanStatusCode.ERROR }));
      first.setStatus({ code: SpanStatusCode.ERROR });
    });
    // `second` started while `first` was held: not tracked, unsampled by the head, so not exported.
    expect(spans.map((s) => s.name)).toEqual(['first']);
    expect(stitch!.samplingStats()).toMatchObject({ tracesOverflowed: 1, spansOverflowed: 1 });
  });

  it('lets a span that ends after its root follow the root decision', () => {
    const spans = start({ sampling: { ratio: 0 } });
    let late: ReturnType<typeof trace.getActiveSpan>;
    withSpan('root', { root: true }, (root) => {
      late = trace.getTracer('t').startSpan('late');
      root.setStatus({ code: SpanStatusCode.ERROR });
    });
    late!.end();
    expect(spans.map((s) => s.name)).toEqual(['root', 'late']);
  });
});

describe('tail sampling eviction', () => {
  it('frees the slot of a root that never ends once it is older than maxTraceAgeMillis, exporting what was kept', () => {
    const sink = collector();
    const tail = new TailSamplingProcessor(sink, { maxTraces: 1, maxSpans: 10, maxTraceAgeMillis: 60_000 });
    const provider = new BasicTracerProvider({
      sampler: new StitchSampler({ ratio: 0, parentBased: true, rules: [], recordUnsampled: true }),
      spanProcessors: [tail],
    });
    const tracer = provider.getTracer('t');
    const leaked = tracer.startSpan('leaked-root', { root: true });
    tracer.startSpan('failed', {}, trace.setSpan(ROOT_CONTEXT, leaked)).setStatus({ code: SpanStatusCode.ERROR }).end();
    expect(tail.stats()).toMatchObject({ tracesOpen: 1, spansHeld: 0 });
    tail.evictOlderThan(Date.now() + 1);
    expect(tail.stats()).toMatchObject({ tracesOpen: 0, tracesEvicted: 1, spansHeld: 0 });
    expect(sink.spans.map((s) => s.name)).toEqual(['failed']);
    void tail.shutdown();
  });

  it('keeps its open traces straight when roots end out of order and some are evicted: each counted once, slots freed', () => {
    const sink = collector();
    const tail = new TailSamplingProcessor(sink, { maxTraces: 4, maxSpans: 10, maxTraceAgeMillis: 60_000 });
    const provider = new BasicTracerProvider({
      sampler: new StitchSampler({ ratio: 1, parentBased: true, rules: [], recordUnsampled: true }),
      spanProcessors: [tail],
    });
    const tracer = provider.getTracer('t');
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => tracer.startSpan(name, { root: true }));
    expect(tail.stats().tracesOpen).toBe(4);
    b!.end(); // the middle one first, then the oldest
    a!.end();
    expect(tail.stats()).toMatchObject({ tracesOpen: 2, tracesKept: { head: 2 } });
    tail.evictOlderThan(Date.now() + 1); // c and d
    expect(tail.stats()).toMatchObject({ tracesOpen: 0, tracesEvicted: 2 });
    c!.end(); // ends after its eviction: forwarded by its own flag, not counted again
    expect(tail.stats()).toMatchObject({ tracesOpen: 0, tracesEvicted: 2, tracesKept: { head: 2 } });
    const e = tracer.startSpan('e', { root: true });
    expect(tail.stats().tracesOpen).toBe(1);
    tail.evictOlderThan(Date.now() + 1);
    expect(tail.stats()).toMatchObject({ tracesOpen: 0, tracesEvicted: 3 });
    e.end();
    d!.end();
    expect(sink.spans.map((s) => s.name)).toEqual(['b', 'a', 'c', 'e', 'd']);
    void tail.shutdown();
  });
});
