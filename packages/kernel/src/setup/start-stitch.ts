import { context, propagation, trace } from '@opentelemetry/api';
import type { TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { newSpanId, newTraceId } from '../context/ids.js';

export interface StartStitchOptions {
  readonly serviceName: string;
  /** `false` makes the kernel a no-op path: contexts and log fields still work, nothing is recorded. */
  readonly enabled?: boolean;
  readonly spanProcessors?: readonly SpanProcessor[];
  readonly propagator?: TextMapPropagator;
}

export interface StitchHandle {
  readonly enabled: boolean;
  readonly provider: BasicTracerProvider | undefined;
  /** Flushes and stops export; resolves when done. */
  shutdown(): Promise<void>;
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/**
 * Registers the context manager always (contexts must work even when disabled), and the
 * tracer provider and propagator when enabled, as OpenTelemetry's globals so any
 * OpenTelemetry instrumentation joins the same traces.
 */
export function startStitch(options: StartStitchOptions): StitchHandle {
  if (contextManager === undefined) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  if (options.enabled === false) {
    return { enabled: false, provider: undefined, shutdown: async () => {} };
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    idGenerator: { generateTraceId: newTraceId, generateSpanId: newSpanId },
    spanProcessors: [...(options.spanProcessors ?? [])],
  });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(options.propagator ?? new W3CTraceContextPropagator());
  return {
    enabled: true,
    provider,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
    },
  };
}
