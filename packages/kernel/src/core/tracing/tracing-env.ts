import { StitchError } from '../errors/stitch-error.js';
import type { TracingOptionsInput } from './tracing-options.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The `tracing` section as OpenTelemetry's environment variables describe it
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
 * `OTEL_SDK_DISABLED`, `OTEL_TRACES_SAMPLER(_ARG)`, `OTEL_TRACES_EXPORTER`,
 * `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT|HEADERS|TIMEOUT|PROTOCOL`, `OTEL_EXPORTER_ZIPKIN_ENDPOINT`
 * and `OTEL_BSP_*`, plus `STITCH_ENABLED`. Only variables that are set appear in the result,
 * so it can sit under explicit config: explicit config > env > defaults.
 *
 * The OTLP exporters would read some of these themselves; the kernel always hands them explicit
 * values computed here, so there is one precedence rule for everything.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` on a value OpenTelemetry would not accept either.
 * @example
 *   readTracingEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' })
 *   // → { sampling: { parentBased: true, ratio: 0.1 } }
 */
export function readTracingEnv(env: Env): TracingOptionsInput {
  const out: { enabled?: boolean; sampling?: Record<string, unknown>; export?: Record<string, unknown> } = {};
  if (isTrue(env.OTEL_SDK_DISABLED) || isFalse(env.STITCH_ENABLED)) out.enabled = false;

  const sampler = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (sampler !== undefined && sampler !== '') out.sampling = parseSampler(sampler, env.OTEL_TRACES_SAMPLER_ARG);

  const exp: Record<string, unknown> = {};
  const exporter = env.OTEL_TRACES_EXPORTER?.split(',')[0]?.trim().toLowerCase();
  if (exporter !== undefined && exporter !== '') {
    if (!['otlp', 'zipkin', 'console', 'none'].includes(exporter)) invalid('OTEL_TRACES_EXPORTER', exporter, 'use otlp, zipkin, console or none');
    exp.exporter = exporter;
  }
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol !== undefined && protocol !== '') {
    if (protocol !== 'http/protobuf' && protocol !== 'http/json') invalid('OTEL_EXPORTER_OTLP_PROTOCOL', protocol, 'use http/protobuf or http/json');
    exp.protocol = protocol;
  }
  const endpoint = endpointFromEnv(env, exporter ?? 'otlp');
  if (endpoint !== undefined) exp.endpoint = endpoint;
  const headers = { ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS), ...parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) };
  if (Object.keys(headers).length > 0) exp.headers = headers;
  setMillis(exp, 'exportTimeoutMillis', env, ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_BSP_EXPORT_TIMEOUT']);
  setMillis(exp, 'scheduledDelayMillis', env, ['OTEL_BSP_SCHEDULE_DELAY']);
  setMillis(exp, 'maxQueueSize', env, ['OTEL_BSP_MAX_QUEUE_SIZE']);
  setMillis(exp, 'maxExportBatchSize', env, ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE']);
  if (Object.keys(exp).length > 0) out.export = exp;
  return out as TracingOptionsInput;
}

function parseSampler(sampler: string, arg: string | undefined): Record<string, unknown> {
  const ratioArg = (): number => {
    if (arg === undefined || arg.trim() === '') return 1; // the spec's default for traceidratio
    const ratio = Number(arg);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) invalid('OTEL_TRACES_SAMPLER_ARG', arg, 'must be a number from 0 to 1');
    return ratio;
  };
  switch (sampler) {
    case 'always_on':
      return { parentBased: false, ratio: 1 };
    case 'always_off':
      return { parentBased: false, ratio: 0 };
    case 'traceidratio':
      return { parentBased: false, ratio: ratioArg() };
    case 'parentbased_always_on':
      return { parentBased: true, ratio: 1 };
    case 'parentbased_always_off':
      return { parentBased: true, ratio: 0 };
    case 'parentbased_traceidratio':
      return { parentBased: true, ratio: ratioArg() };
    default:
      return invalid('OTEL_TRACES_SAMPLER', sampler, 'use always_on, always_off, traceidratio or parentbased_*');
  }
}

function endpointFromEnv(env: Env, exporter: string): string | undefined {
  if (exporter === 'zipkin') return nonEmpty(env.OTEL_EXPORTER_ZIPKIN_ENDPOINT);
  const signal = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (signal !== undefined) return signal;
  // The base endpoint gets the signal path appended (spec: "OTEL_EXPORTER_OTLP_ENDPOINT").
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`;
}

function parseHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (raw === undefined) return headers;
  for (const pair of raw.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      invalid('OTEL_EXPORTER_OTLP_HEADERS', '(hidden)', 'a header is not valid percent-encoding');
    }
  }
  return headers;
}

function setMillis(target: Record<string, unknown>, key: string, env: Env, names: readonly string[]): void {
  for (const name of names) {
    const raw = nonEmpty(env[name]);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) invalid(name, raw, 'must be a positive integer');
    target[key] = value;
    return;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

function isFalse(value: string | undefined): boolean {
  const v = value?.trim().toLowerCase();
  return v === 'false' || v === '0';
}

function invalid(name: string, value: string, why: string): never {
  throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: `${name}=${value}: ${why}` });
}
