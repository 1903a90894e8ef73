import { describe, expect, it } from 'vitest';
import { StitchError } from '../errors/stitch-error.js';
import { loadConfig } from '../../setup/config/load-config.js';
import { parseTracingOptions } from './tracing-options.js';

/** The tracing section as the loader reads it from `env` (the table's OTEL_* rows). */
const tracingFrom = (env: Record<string, string>) => loadConfig({ env }).tracing;

describe('tracing options', () => {
  it('parseTracingOptions() fills every default and freezes the result', () => {
    const options = parseTracingOptions();
    expect(options.sampling).toMatchObject({ ratio: 1, parentBased: true, rules: [], tail: { enabled: true } });
    expect(options.export).toMatchObject({ exporter: 'otlp', protocol: 'http/protobuf', maxQueueSize: 2048 });
    expect(options.budgets).toMatchObject({ routeMillis: 500, queryMillis: 200, externalMillis: 800, jobMillis: 30_000 });
    expect(Object.isFrozen(options.sampling.tail)).toBe(true);
  });

  it('honours OTEL_TRACES_SAMPLER and its argument, as parent-based or not', () => {
    expect(tracingFrom({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).sampling).toMatchObject({ parentBased: true, ratio: 0.25 });
    expect(tracingFrom({ OTEL_TRACES_SAMPLER: 'always_off' }).sampling).toMatchObject({ parentBased: false, ratio: 0 });
    expect(tracingFrom({ OTEL_TRACES_SAMPLER: 'traceidratio' }).sampling).toMatchObject({ parentBased: false, ratio: 1 });
    // The argument alone says nothing: the default sampler takes none.
    expect(tracingFrom({ OTEL_TRACES_SAMPLER_ARG: '0.25' }).sampling).toMatchObject({ parentBased: true, ratio: 1 });
  });

  it('reads OTEL_EXPORTER_OTLP_* with the signal-specific variable winning, and appends /v1/traces to the base endpoint', () => {
    const tracing = tracingFrom({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-a=1,authorization=Bearer%20t',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-a=2',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
    });
    expect(tracing.export).toMatchObject({
      endpoint: 'http://collector:4318/v1/traces',
      protocol: 'http/json',
      headers: { 'x-a': '2', authorization: 'Bearer t' },
      exportTimeoutMillis: 3000,
      maxQueueSize: 100,
    });
    expect(tracingFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:1/t', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://y:2' }).export.endpoint).toBe('http://x:1/t');
    expect(tracingFrom({ OTEL_EXPORTER_OTLP_TIMEOUT: '3000', OTEL_BSP_EXPORT_TIMEOUT: '1000' }).export.exportTimeoutMillis).toBe(3000);
    expect(tracingFrom({ OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000', OTEL_EXPORTER_OTLP_TIMEOUT: '3000' }).export.exportTimeoutMillis).toBe(2000);
  });

  it('takes the endpoint variables of the exporter in force: Zipkin its own, OTLP the OTLP ones', () => {
    const zipkin = tracingFrom({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otlp:4318', OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://zipkin:9411/api/v2/spans' });
    expect(zipkin.export).toMatchObject({ exporter: 'zipkin', endpoint: 'http://zipkin:9411/api/v2/spans' });
    expect(tracingFrom({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otlp:4318' }).export.endpoint).toBeUndefined();
    expect(tracingFrom({ OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://zipkin:9411/api/v2/spans' }).export.endpoint).toBeUndefined();
  });

  it('lets explicit config win over env, and env over defaults', () => {
    const fromEnv = tracingFrom({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5', OTEL_TRACES_EXPORTER: 'zipkin' });
    const options = parseTracingOptions({ sampling: { ratio: 0.1 } }, fromEnv);
    expect(options.sampling.ratio).toBe(0.1);
    expect(options.sampling.parentBased).toBe(true);
    expect(options.export.exporter).toBe('zipkin');
  });

  it('turns the kernel off with OTEL_SDK_DISABLED=true or STITCH_ENABLED=false', () => {
    expect(tracingFrom({ OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    expect(tracingFrom({ STITCH_ENABLED: 'false' }).enabled).toBe(false);
    expect(tracingFrom({ OTEL_SDK_DISABLED: 'false' }).enabled).toBe(true);
  });

  it('rejects bad values with STITCH_ERR_CONFIG_INVALID naming the variable or field', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof StitchError ? `${error.code} ${error.message}` : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => tracingFrom({ OTEL_TRACES_SAMPLER: 'jaeger_remote' }))).toMatch(/^STITCH_ERR_CONFIG_INVALID .*OTEL_TRACES_SAMPLER/);
    expect(codeOf(() => tracingFrom({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }))).toMatch(/OTEL_TRACES_SAMPLER_ARG/);
    expect(codeOf(() => tracingFrom({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }))).toMatch(/OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc/);
    expect(codeOf(() => tracingFrom({ OTEL_TRACES_EXPORTER: 'jaeger' }))).toMatch(/OTEL_TRACES_EXPORTER=jaeger/);
    expect(codeOf(() => tracingFrom({ OTEL_BSP_MAX_QUEUE_SIZE: '0' }))).toMatch(/OTEL_BSP_MAX_QUEUE_SIZE=0/);
    expect(codeOf(() => parseTracingOptions({ sampling: { ratio: 1.5 } }))).toMatch(/tracing\.sampling\.ratio/);
    expect(codeOf(() => parseTracingOptions({ sampling: { rules: [{ ratio: 1 }] } }))).toMatch(/route or tenant/);
  });
});
