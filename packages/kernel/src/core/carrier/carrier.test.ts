import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { startStitch } from '../../setup/start-stitch.js';
import { currentContext, getScope, runInNewContext } from '../context/context-store.js';
import { ownEntry } from '../context/entry.js';
import { carrierOf, contextOf, entryOfCarrier, parentOf, traceHeadersOf } from './carrier.js';

// The one statement of the carrier's format: every hop that leaves the process (outbox rows,
// event envelopes, job envelopes, webhook deliveries) stores these fields under these names, and
// job envelopes are JSON, so the order below is part of their bytes.

const TENANT = '66666666-6666-4666-8666-666666666666';
const exporter = new InMemorySpanExporter();
const stitch = startStitch({ serviceName: 'carrier-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
afterAll(() => stitch.shutdown());

describe('the carrier', () => {
  it('carrierOf() writes traceparent, tracestate, tenant, request id, actor and entry, in that order, and nothing absent', () => {
    runInNewContext({ name: 'checkout', tenantId: TENANT, actorId: 'user-7', requestId: 'req-1', entry: ownEntry('job', 'invoice.render') }, () => {
      const { traceId, spanId, sampled } = currentContext();
      const carrier = carrierOf();
      expect(Object.keys(carrier)).toEqual(['traceparent', 'tenantId', 'requestId', 'actorId', 'entryKind', 'entryRoute']);
      // Level 2's random flag (02) is set on every trace id this process made.
      expect(carrier).toEqual({
        traceparent: `00-${traceId}-${spanId}-0${sampled ? 3 : 2}`,
        tenantId: TENANT,
        requestId: 'req-1',
        actorId: 'user-7',
        entryKind: 'job',
        entryRoute: 'invoice.render',
      });
    });
  });

  it('carrierOf() names a run by its run id, and is empty outside any context', () => {
    runInNewContext({ name: 'job', runId: 'run-9', requestId: 'req-2' }, () => expect(carrierOf().requestId).toBe('run-9'));
    expect(carrierOf(ROOT_CONTEXT)).toEqual({});
    expect(traceHeadersOf(ROOT_CONTEXT)).toEqual({});
  });

  it('contextOf() continues the carried trace as a remote parent, in the carried tenant, request and entry', () => {
    const carrier = runInNewContext({ name: 'send', tenantId: TENANT, entry: ownEntry('consumer', 'sender') }, () => carrierOf());
    const restored = contextOf(carrier);
    const parent = trace.getSpanContext(restored);
    expect(parent?.isRemote).toBe(true);
    expect(traceHeadersOf(restored).traceparent?.slice(0, 52)).toBe(carrier.traceparent?.slice(0, 52));
    expect(getScope(restored)).toMatchObject({ tenantId: TENANT, requestId: carrier.requestId, entry: { kind: 'consumer', route: 'sender' } });
    expect(parentOf(carrier)).toEqual(parent);
  });

  it('an unreadable or missing traceparent means no parent (a new trace), never an error; the receiver names its own entry', () => {
    for (const traceparent of [undefined, 'garbage', `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`]) {
      expect(parentOf({ traceparent })).toBeUndefined();
      const restored = contextOf({ traceparent }, ownEntry('consumer', 'mine'));
      expect(trace.getSpanContext(restored)).toBeUndefined();
      expect(getScope(restored)?.entry).toEqual({ kind: 'consumer', route: 'mine' });
      expect(getScope(restored)?.requestId).toMatch(/\S/);
    }
  });

  it('reads the entry bounded: an unknown kind is no entry, a route past 120 characters is cut', () => {
    expect(entryOfCarrier({ entryKind: 'cron', entryRoute: '/x' })).toBeUndefined();
    expect(entryOfCarrier({ entryKind: 'http', entryRoute: 'r'.repeat(500) })?.route).toHaveLength(120);
    expect(entryOfCarrier({})).toBeUndefined();
  });

  it('the span it names is the one active in the context it is given', () => {
    runInNewContext({ name: 'outer' }, () => {
      const span = trace.getTracer('t').startSpan('inner');
      const headers = traceHeadersOf(trace.setSpan(context.active(), span));
      span.end();
      expect(headers.traceparent).toContain(span.spanContext().spanId);
    });
  });
});
