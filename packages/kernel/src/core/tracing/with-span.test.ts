import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { startStitch } from '../../setup/start-stitch.js';
import type { StitchHandle } from '../../setup/start-stitch.js';
import { withSpan } from './with-span.js';

let exporter = new InMemorySpanExporter();
let stitch: StitchHandle | undefined;
afterEach(async () => {
  await stitch?.shutdown();
});
const enable = () => {
  exporter = new InMemorySpanExporter();
  stitch = startStitch({ serviceName: 'with-span-test', spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });
};

describe('withSpan()', () => {
  it('runs a sync function in a child span of the active one, with attributes and events, and ends it', () => {
    enable();
    const result = withSpan('parent', () =>
      withSpan('child', { attributes: { 'stitch.query.name': 'invoice.by_id' } }, (span) => {
        span.addEvent('cache.miss');
        expect(trace.getActiveSpan()).toBe(span);
        return 42;
      }),
    );
    expect(result).toBe(42);
    const [child, parent] = exporter.getFinishedSpans();
    expect(child?.name).toBe('child');
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(child?.attributes['stitch.query.name']).toBe('invoice.by_id');
    expect(child?.events.map((e) => e.name)).toEqual(['cache.miss']);
    expect(child?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records a throw as an exception with status ERROR, ends the span, and rethrows the same error', () => {
    enable();
    const error = new Error('no such invoice');
    expect(() => withSpan('load', () => { throw error; })).toThrow(error);
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no such invoice' });
    expect(span?.events[0]?.name).toBe('exception');
  });

  it('ends an async span when its promise settles, recording a rejection', async () => {
    enable();
    await expect(withSpan('ok', async () => 'done')).resolves.toBe('done');
    await expect(withSpan('bad', async () => { throw new Error('late'); })).rejects.toThrow('late');
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.status.code])).toEqual([
      ['ok', SpanStatusCode.UNSET],
      ['bad', SpanStatusCode.ERROR],
    ]);
  });

  it('still runs the function and returns its value with the kernel disabled', async () => {
    stitch = startStitch({ serviceName: 'off', enabled: false, env: {} });
    expect(withSpan('noop', (span) => span.isRecording())).toBe(false);
    await expect(withSpan('noop', async () => 7)).resolves.toBe(7);
  });
});
