import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StitchError } from '../core/errors/stitch-error.js';
import { applySemconvOptIn, writesDeprecated } from '../core/tracing/semconv-opt-in.js';
import { withSpan } from '../core/tracing/with-span.js';
import { loadConfig } from './config/load-config.js';
import { exportStats, samplingStats, startStitch } from './start-stitch.js';
import type { StitchHandle } from './start-stitch.js';

let stitch: StitchHandle | undefined;
afterEach(async () => {
  await stitch?.shutdown();
  stitch = undefined;
  vi.unstubAllEnvs();
  applySemconvOptIn([]);
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

  it('takes the parsed config: its service name, exporter and resource attributes, and reads no env of its own', () => {
    const exporter = new InMemorySpanExporter();
    const config = loadConfig({ env: { OTEL_SERVICE_NAME: 'from-config', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging', OTEL_TRACES_EXPORTER: 'none' } });
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-process-env');
    vi.stubEnv('OTEL_TRACES_SAMPLER', 'always_off');
    stitch = startStitch({ config, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    withSpan('root', { root: true }, () => undefined);
    expect(exporter.getFinishedSpans()[0]?.resource.attributes).toMatchObject({ 'service.name': 'from-config', 'deployment.environment.name': 'staging' });
  });

  it('hands OTEL_SEMCONV_STABILITY_OPT_IN to the hops once, at start: a later change of the variable changes nothing', () => {
    stitch = startStitch({ serviceName: 'semconv', exporter: new InMemorySpanExporter(), env: { OTEL_SEMCONV_STABILITY_OPT_IN: 'database/dup' } });
    expect(writesDeprecated('database')).toBe(true);
    expect(writesDeprecated('messaging')).toBe(false);
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging/dup');
    expect(writesDeprecated('database')).toBe(true);
    expect(writesDeprecated('messaging')).toBe(false);
  });
});
