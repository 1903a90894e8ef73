import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { StitchError } from '../core/errors/stitch-error.js';
import { withSpan } from '../core/tracing/with-span.js';
import { startStitch } from './start-stitch.js';
import type { StitchHandle } from './start-stitch.js';

let sdk: NodeSDK | undefined;
let stitch: StitchHandle | undefined;
afterEach(async () => {
  await stitch?.shutdown();
  await sdk?.shutdown();
  stitch = undefined;
  sdk = undefined;
  // NodeSDK's shutdown leaves its globals registered; the next test starts from none.
  trace.disable();
  propagation.disable();
  context.disable();
});

function startNodeSdk(): { exporter: InMemorySpanExporter; processor: SimpleSpanProcessor } {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(exporter);
  sdk = new NodeSDK({ serviceName: 'users-own-sdk', spanProcessors: [processor], instrumentations: [] });
  sdk.start();
  return { exporter, processor };
}

function refusal(run: () => unknown): StitchError {
  try {
    run();
  } catch (error) {
    if (error instanceof StitchError) return error;
    throw error;
  }
  throw new Error('startStitch() did not refuse');
}

describe('startStitch() in a process whose NodeSDK started first', () => {
  it('fails with STITCH_ERR_SETUP_OTEL_ALREADY_REGISTERED naming the provider, the propagator and the context manager, and pointing to stitchSdkOptions', () => {
    startNodeSdk();
    const error = refusal(() => startStitch({ serviceName: 'late', env: {} }));
    expect(error.code).toBe('STITCH_ERR_SETUP_OTEL_ALREADY_REGISTERED');
    // sdk-node 0.223 registers sdk-trace-node's provider, whose class is named TracerProvider.
    expect(error.message).toMatch(/a tracer provider \(\w*TracerProvider\)/);
    expect(error.message).toContain('a propagator (headers traceparent, tracestate, baggage)');
    expect(error.message).toContain('a context manager');
    expect(error.message).toContain('stitchSdkOptions() from @stitch/kernel/otel');
  });

  it('registers nothing when it refuses: spans keep going to the NodeSDK that owns the globals', async () => {
    const { exporter, processor } = startNodeSdk();
    expect(() => startStitch({ serviceName: 'late', env: {} })).toThrow(StitchError);
    withSpan('still-the-sdks', { root: true }, () => undefined);
    // The SDK's resource detectors are asynchronous: the processor exports once they settle.
    await processor.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('still-the-sdks');
    expect(span?.resource.attributes['service.name']).toBe('users-own-sdk');
  });

  it('refuses over a context manager alone, registered by someone else', () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const error = refusal(() => startStitch({ serviceName: 'late', env: {} }));
    expect(error.message).toContain('a context manager');
    expect(error.message).not.toContain('tracer provider');
  });

  it('refuses a second startStitch() while the first runs, and says so', () => {
    stitch = startStitch({ serviceName: 'first', spanProcessors: [], env: {} });
    const error = refusal(() => startStitch({ serviceName: 'second', env: {} }));
    expect(error.message).toContain('a tracer provider (BasicTracerProvider)');
    expect(error.message).toContain('an earlier startStitch() that was not shut down');
  });

  it('starts again once the first one is shut down', async () => {
    await startStitch({ serviceName: 'first', spanProcessors: [], env: {} }).shutdown();
    stitch = startStitch({ serviceName: 'second', spanProcessors: [], env: {} });
    expect(stitch.enabled).toBe(true);
  });

  it('disabled, starts over a NodeSDK without a word: it registers nothing that could collide', () => {
    startNodeSdk();
    stitch = startStitch({ serviceName: 'off', enabled: false, env: {} });
    expect(stitch.enabled).toBe(false);
  });
});
