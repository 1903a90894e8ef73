import { ROOT_CONTEXT, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { extractBaggage } from './baggage.js';
import { extractTraceContext, stitchPropagator } from './stitch-propagator.js';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('stitchPropagator', () => {
  it('never throws on carriers holding values of the wrong type', () => {
    for (const carrier of [{ traceparent: 42 }, { traceparent: [null] }, { traceparent: TP, tracestate: { a: 1 } }, { baggage: 7 }, null, undefined]) {
      expect(() => stitchPropagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter)).not.toThrow();
      expect(() => extractBaggage(carrier)).not.toThrow();
    }
    const withBadState = stitchPropagator.extract(ROOT_CONTEXT, { traceparent: TP, tracestate: { a: 1 } }, defaultTextMapGetter);
    expect(trace.getSpanContext(withBadState)?.traceState).toBeUndefined();
  });

  it('extractTraceContext() says why a header was ignored', () => {
    expect(extractTraceContext({ traceparent: TP.toUpperCase() }, defaultTextMapGetter)).toEqual({ ok: false, reason: 'uppercase_hex' });
    expect(extractTraceContext({ traceparent: TP, tracestate: 'A=1' }, defaultTextMapGetter)).toMatchObject({ ok: true, tracestateRejected: 'invalid_member' });
  });
});
