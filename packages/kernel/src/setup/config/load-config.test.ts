import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StitchError } from '../../core/errors/stitch-error.js';
import { loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'stitch-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yamlFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The StitchError loadConfig throws for these options (fails the test if it does not). */
function configError(options: Parameters<typeof loadConfig>[0]): StitchError {
  try {
    loadConfig(options);
  } catch (error) {
    expect(error).toBeInstanceOf(StitchError);
    expect((error as StitchError).code).toBe('STITCH_ERR_CONFIG_INVALID');
    return error as StitchError;
  }
  throw new Error('loadConfig accepted an invalid configuration');
}

describe('loadConfig', () => {
  it('returns every section with its defaults from an empty environment, deep-frozen', () => {
    const config = loadConfig({ env: {} });
    expect(config.enabled).toBe(true);
    expect(config.service.name).toBe('unknown_service:node');
    expect(config.service.nodeId.length).toBeGreaterThan(0);
    expect(config.logs).toMatchObject({ level: 'info', otlp: { exporter: 'none' } });
    expect(config.redaction.keys).toContain('password');
    expect(config.edge.trustedUpstreams).toEqual(['127.0.0.0/8', '::1/128']);
    expect(config.tracing.budgets.routeMillis).toBe(500);
    expect(Object.isFrozen(config.logs.otlp)).toBe(true);
    expect(Object.isFrozen(config.redaction.keys)).toBe(true);
    expect(() => {
      (config.logs as { level: string }).level = 'trace';
    }).toThrow(TypeError);
  });

  it('refuses OTEL_EXPORTER_OTLP_PROTOCOL=grpc once (it feeds logs and traces), saying how to export over gRPC', () => {
    const error = (() => {
      try {
        loadConfig({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } });
      } catch (e) {
        return e as StitchError;
      }
      throw new Error('loadConfig accepted grpc');
    })();
    expect(error.code).toBe('STITCH_ERR_CONFIG_INVALID');
    expect(error.message.match(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc/g)).toHaveLength(1);
    expect(error.message).toContain('pass OpenTelemetry\'s gRPC exporter as `exporter` (docs/exporting.md)');
  });

  it('merges defaults, then the YAML file, then environment variables', () => {
    const file = yamlFile('merge.yaml', 'service:\n  name: from-file\nlogs:\n  level: warn\nedge:\n  trustedUpstreams: [10.0.0.0/8]\nredaction:\n  extraKeys: [ssn]\n');
    const config = loadConfig({ file, env: { STITCH_LOG_LEVEL: 'debug' } });
    expect(config.service.name).toBe('from-file');
    expect(config.logs.level).toBe('debug');
    expect(config.edge.trustedUpstreams).toEqual(['10.0.0.0/8']);
    expect(config.redaction.extraKeys).toEqual(['ssn']);
    expect(config.logs.otlp.maxQueueSize).toBe(2048);
  });

  it('leaves the collector section of a shared stitch.yaml to the collector', () => {
    const file = yamlFile('shared.yaml', 'service:\n  name: billing\ncollector:\n  port: 4319\n  retention: { maxAgeHours: 24 }\n');
    const config = loadConfig({ file, env: {} });
    expect(config.service.name).toBe('billing');
    expect(config).not.toHaveProperty('collector');
  });

  it('reads the file named by STITCH_CONFIG', () => {
    const file = yamlFile('by-env.yaml', 'service:\n  nodeId: node-7\n');
    expect(loadConfig({ env: { STITCH_CONFIG: file } }).service.nodeId).toBe('node-7');
  });

  it('STITCH_ENABLED=false or OTEL_SDK_DISABLED=true makes the whole kernel a no-op path', () => {
    for (const env of [{ STITCH_ENABLED: 'false' }, { OTEL_SDK_DISABLED: 'true' }]) {
      const config = loadConfig({ env: { ...env, OTEL_LOGS_EXPORTER: 'otlp' } });
      expect(config.enabled).toBe(false);
      expect(config.tracing.enabled).toBe(false);
      expect(config.logs.otlp.exporter).toBe('none');
    }
    expect(loadConfig({ env: { OTEL_SDK_DISABLED: 'false' } }).enabled).toBe(true);
  });

  it('follows OpenTelemetry variables: service name, resource attributes, OTLP endpoints, sampler', () => {
    const config = loadConfig({
      env: {
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource,deployment.environment=prod%20eu',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc',
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-tenant=t1',
        OTEL_LOGS_EXPORTER: 'otlp',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      },
    });
    expect(config.service.name).toBe('from-resource');
    expect(config.service.resourceAttributes['deployment.environment']).toBe('prod eu');
    expect(config.logs.otlp).toMatchObject({ exporter: 'otlp', endpoint: 'http://collector:4318/v1/logs', headers: { 'x-api-key': 'abc', 'x-tenant': 't1' } });
    expect(config.tracing.export.endpoint).toBe('http://collector:4318/v1/traces');
    expect(config.tracing.sampling).toMatchObject({ parentBased: true, ratio: 0.25 });
    expect(loadConfig({ env: { OTEL_SERVICE_NAME: 'otel', OTEL_RESOURCE_ATTRIBUTES: 'service.name=res' } }).service.name).toBe('otel');
    expect(loadConfig({ env: { OTEL_SERVICE_NAME: 'otel', STITCH_SERVICE_NAME: 'stitch' } }).service.name).toBe('stitch');
  });

  it('exports logs over OTLP when an OTLP endpoint is set, unless OTEL_LOGS_EXPORTER=none', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(loadConfig({ env: base }).logs.otlp).toMatchObject({ exporter: 'otlp', endpoint: 'http://collector:4318/v1/logs' });
    expect(loadConfig({ env: { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:4318/v1/logs' } }).logs.otlp.exporter).toBe('otlp');
    expect(loadConfig({ env: { ...base, OTEL_LOGS_EXPORTER: 'none' } }).logs.otlp.exporter).toBe('none');
    expect(loadConfig({ env: {} }).logs.otlp.exporter).toBe('none');
    expect(loadConfig({ env: { ...base, STITCH_ENABLED: 'false' } }).logs.otlp.exporter).toBe('none');
    const fileSaysNone = yamlFile('logs-none.yaml', 'logs:\n  otlp:\n    exporter: none\n');
    expect(loadConfig({ file: fileSaysNone, env: base }).logs.otlp.exporter).toBe('none');
  });

  it('fails naming the env var, its value and what is allowed', () => {
    const level = configError({ env: { STITCH_LOG_LEVEL: 'verbose' } });
    expect(level.message).toContain('STITCH_LOG_LEVEL=verbose');
    expect(level.message).toContain('"debug"');
    expect(configError({ env: { STITCH_BUDGET_ROUTE_MS: 'fast' } }).message).toContain('STITCH_BUDGET_ROUTE_MS=fast: use a whole number');
    const upstreams = configError({ env: { STITCH_EDGE_TRUSTED_UPSTREAMS: '10.0.0.0/8,not-an-ip' } });
    expect(upstreams.message).toContain('STITCH_EDGE_TRUSTED_UPSTREAMS=10.0.0.0/8,not-an-ip');
    expect(configError({ env: { OTEL_TRACES_SAMPLER_ARG: '2', OTEL_TRACES_SAMPLER: 'traceidratio' } }).message).toContain('OTEL_TRACES_SAMPLER_ARG=2');
  });

  it('fails naming the YAML path, its value and what is allowed; unknown keys are errors, not silence', () => {
    const file = yamlFile('bad.yaml', 'logs:\n  level: loud\ntracing:\n  budgets:\n    routeMillis: -5\n');
    const bad = configError({ file });
    expect(bad.message).toContain(`logs.level in ${file}="loud"`);
    expect(bad.message).toContain(`tracing.budgets.routeMillis in ${file}=-5`);
    const typo = configError({ file: yamlFile('typo.yaml', 'logs:\n  levle: debug\n') });
    expect(typo.message).toContain('logs.levle');
    expect(typo.message).toContain('allowed here: level, otlp');
  });

  it('never echoes a secret value in its error', () => {
    const header = configError({ env: { STITCH_EDGE_TRUSTED_SECRET_HEADER: 'x-upstream=tooshort' } });
    expect(header.message).toContain('STITCH_EDGE_TRUSTED_SECRET_HEADER=[REDACTED]');
    expect(header.message).not.toContain('tooshort');
    const headers = configError({ env: { OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'no-equals-sign-secret' } });
    expect(headers.message).not.toContain('no-equals-sign-secret');
  });

  it('fails clearly on a missing file, invalid YAML or a non-mapping document', () => {
    expect(configError({ env: { STITCH_CONFIG: join(dir, 'absent.yaml') } }).message).toContain(`STITCH_CONFIG=${join(dir, 'absent.yaml')}: cannot read the file (ENOENT)`);
    expect(configError({ file: yamlFile('broken.yaml', 'logs: [unclosed\n') }).message).toContain('not valid YAML');
    expect(configError({ file: yamlFile('scalar.yaml', 'just text\n') }).message).toContain('must be a mapping');
    expect(loadConfig({ file: yamlFile('empty.yaml', '') }).logs.level).toBe('info');
  });
});
