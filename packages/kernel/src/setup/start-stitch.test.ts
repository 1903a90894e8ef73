import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { StitchError } from '../core/errors/stitch-error.js';
import { withSpan } from '../core/tracing/with-span.js';
import { exportStats, samplingStats, startStitch } from './start-stitch.js';
import type { StitchHandle } from './start-stitch.js';

let stitch: StitchHandle | undefined;
afterEach(async () => {
  await stitch?.shutdown();
  stitch = undefined;
});

describe('startStitch()', () => {
  it('disabled: registers no provider, spans do not record, stats stay zero', () => {
    stitch = startStitch({ serviceName: 'off', enabled: false, env: {} });
    expect(stitch.provider).toBeUndefined();
    withSpan('noop', { root: true }, (span) => expect(span.isRecording()).toBe(false));
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    expect(samplingStats().tracesOpen).toBe(0);
    expect(exportStats().exported).toBe(0);
  });

  it('is disabled by OTEL_SDK_DISABLED=true even when the code asks for nothing', () => {
    stitch = startStitch({ serviceName: 'off', env: { OTEL_SDK_DISABLED: 'true' } });
    expect(stitch.enabled).toBe(false);
  });

  it('keeps serving callers that pass only span processors: they get every span, and nothing goes to the network', async () => {
    const exporter = new InMemorySpanExporter();
    stitch = startStitch({ serviceName: 'legacy', spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });
    expect(stitch.options.export.exporter).toBe('none');
    withSpan('root', { root: true }, () => withSpan('child', () => undefined));
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['child', 'root']);
    expect(exporter.getFinishedSpans()[0]?.resource.attributes['service.name']).toBe('legacy');
  });

  it('takes the service name from OTEL_SERVICE_NAME when the code gives none', () => {
    const exporter = new InMemorySpanExporter();
    stitch = startStitch({ spanProcessors: [new SimpleSpanProcessor(exporter)], env: { OTEL_SERVICE_NAME: 'from-env' } });
    withSpan('root', { root: true }, () => undefined);
    expect(exporter.getFinishedSpans()[0]?.resource.attributes['service.name']).toBe('from-env');
  });

  it('fails with STITCH_ERR_CONFIG_INVALID on a bad OTEL_TRACES_SAMPLER, before registering anything', () => {
    expect(() => startStitch({ serviceName: 'bad', env: { OTEL_TRACES_SAMPLER: 'sometimes' } })).toThrow(StitchError);
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
  });
});
