import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { startStitch } from '../../setup/start-stitch.js';
import { StitchError } from '../errors/stitch-error.js';
import { currentContext, deriveContext, runInNewContext, tryCurrentContext, withContext } from './context-store.js';

const exporter = new InMemorySpanExporter();
const stitch = startStitch({ serviceName: 'context-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
afterAll(() => stitch.shutdown());

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';

describe('context store', () => {
  it('currentContext() throws a coded error outside any context, tryCurrentContext() returns undefined', () => {
    expect(tryCurrentContext()).toBeUndefined();
    expect(() => currentContext()).toThrowError(StitchError);
    try {
      currentContext();
    } catch (error) {
      expect((error as StitchError).code).toBe('STITCH_ERR_CONTEXT_MISSING');
    }
  });

  it('currentContext() and the active OpenTelemetry span never disagree', () => {
    runInNewContext({ name: 'job', tenantId: TENANT_A }, () => {
      const span = trace.getActiveSpan();
      expect(currentContext().traceId).toBe(span?.spanContext().traceId);
      expect(currentContext().spanId).toBe(span?.spanContext().spanId);
      trace.getTracer('other-instrumentation').startActiveSpan('child', (child) => {
        expect(currentContext().spanId).toBe(child.spanContext().spanId);
        expect(currentContext().tenantId).toBe(TENANT_A);
        child.end();
      });
    });
  });

  it('deriveContext() returns a new context and leaves the current one untouched', () => {
    runInNewContext({ name: 'req' }, () => {
      const before = currentContext();
      const derived = deriveContext({ routeId: '/orders/:id' });
      expect(derived.routeId).toBe('/orders/:id');
      expect(currentContext()).toBe(before);
      expect(Object.isFrozen(derived)).toBe(true);
      withContext({ routeId: '/orders/:id' }, () => expect(currentContext().routeId).toBe('/orders/:id'));
      expect(currentContext().routeId).toBeUndefined();
    });
  });

  it('switching tenant starts a new trace linked to the current span, never a child span', () => {
    exporter.reset();
    runInNewContext({ name: 'batch', tenantId: TENANT_A }, () => {
      const outer = currentContext();
      withContext({ tenantId: TENANT_B }, () => {
        const inner = currentContext();
        expect(inner.tenantId).toBe(TENANT_B);
        expect(inner.traceId).not.toBe(outer.traceId);
      });
    });
    const spans = exporter.getFinishedSpans();
    const switched = spans.find((s) => s.name === 'tenant.switch');
    const batch = spans.find((s) => s.name === 'batch');
    expect(switched?.parentSpanContext).toBeUndefined();
    expect(switched?.links[0]?.context.spanId).toBe(batch?.spanContext().spanId);
    expect(switched?.attributes['tenant.id']).toBe(TENANT_B);
  });
});

describe('tenant on every span', () => {
  it('a child span started by any instrumentation inside a tenant context carries tenant.id itself', () => {
    exporter.reset();
    runInNewContext({ name: 'request', tenantId: TENANT_A }, () => {
      trace.getTracer('@opentelemetry/instrumentation-pg').startActiveSpan('pg.query', (child) => child.end());
    });
    const child = exporter.getFinishedSpans().find((s) => s.name === 'pg.query');
    expect(child?.attributes['tenant.id']).toBe(TENANT_A);
  });
});
