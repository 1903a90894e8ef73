/**
 * Turns one environment variable's text (trimmed, never empty) into a config value. A parser
 * throws `EnvValueError` saying what is allowed; the loader adds the variable's name and value.
 * `undefined` means "this variable has no opinion" (e.g. `OTEL_SDK_DISABLED=false`). `env` is
 * there for OpenTelemetry's rules that read one variable with another (the sampler's argument,
 * the endpoint of the exporter in force).
 */
export type EnvParser = (raw: string, env: Readonly<Record<string, string | undefined>>) => unknown;

export class EnvValueError extends Error {
  constructor(readonly allowed: string) {
    super(allowed);
    this.name = 'EnvValueError';
  }
}

export const text: EnvParser = (raw) => raw;

/** OpenTelemetry's boolean rule is `true`/`false` (case-insensitive); `1`/`0` are accepted too. */
export const boolean: EnvParser = (raw) => {
  const value = raw.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new EnvValueError('use true or false');
};

/** `OTEL_SDK_DISABLED=true` disables; `false` leaves the decision to others. */
export const disabledFlag: EnvParser = (raw, env) => (boolean(raw, env) === true ? false : undefined);

export const integer: EnvParser = (raw) => {
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new EnvValueError('use a whole number');
  return value;
};

export const number: EnvParser = (raw) => {
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value)) throw new EnvValueError('use a number');
  return value;
};

/** Comma-separated, blanks dropped: `10.0.0.0/8, ::1/128`. */
export const list: EnvParser = (raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** The first entry of a comma-separated list, lowercased (OTEL_*_EXPORTER may list several; Stitch uses one). */
export const firstLowercase: EnvParser = (raw, env) => (list(raw.toLowerCase(), env) as string[])[0];

/** A JSON array of strings: `["acct-\\d{6}", "ssn=\\d+"]` (regular expressions may contain commas). */
export const jsonStringArray: EnvParser = (raw) => {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new EnvValueError('use a JSON array of strings, e.g. ["acct-\\\\d{6}"]');
  }
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new EnvValueError('use a JSON array of strings');
  return value;
};

/**
 * W3C-Baggage-style `key=value,key2=value2`, percent-decoded: the format of
 * OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS.
 */
export const keyValueList: EnvParser = (raw) => {
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at <= 0) throw new EnvValueError('use key=value pairs separated by commas');
    try {
      out[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      throw new EnvValueError('use key=value pairs with valid percent-encoding');
    }
  }
  return out;
};

/** `name=value`: a header and its value. */
export const headerPair: EnvParser = (raw) => {
  const at = raw.indexOf('=');
  if (at <= 0) throw new EnvValueError('use name=value, e.g. x-stitch-upstream=<secret>');
  return { name: raw.slice(0, at).trim(), value: raw.slice(at + 1).trim() };
};

/** A base OTLP endpoint gets the signal's path appended (spec of OTEL_EXPORTER_OTLP_ENDPOINT). */
export function signalEndpoint(signalPath: string): EnvParser {
  return (raw) => `${raw.replace(/\/+$/, '')}/${signalPath}`;
}

// OpenTelemetry's sampler names: whether the parent's decision is followed, and the ratio
// (`arg`: OTEL_TRACES_SAMPLER_ARG's).
const SAMPLERS: Readonly<Record<string, { readonly parentBased: boolean; readonly ratio: number | 'arg' }>> = {
  always_on: { parentBased: false, ratio: 1 },
  always_off: { parentBased: false, ratio: 0 },
  traceidratio: { parentBased: false, ratio: 'arg' },
  parentbased_always_on: { parentBased: true, ratio: 1 },
  parentbased_always_off: { parentBased: true, ratio: 0 },
  parentbased_traceidratio: { parentBased: true, ratio: 'arg' },
};

/**
 * OTEL_TRACES_SAMPLER with its OTEL_TRACES_SAMPLER_ARG, as the SDK reads them: the sampler sets
 * `parentBased` and `ratio` (the argument's, 1 when unset, for the `*traceidratio` samplers).
 */
export const sampler: EnvParser = (raw, env) => {
  const known = SAMPLERS[raw.toLowerCase()];
  if (known === undefined) throw new EnvValueError('use always_on, always_off, traceidratio or parentbased_*');
  if (known.ratio !== 'arg') return { parentBased: known.parentBased, ratio: known.ratio };
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (arg === undefined || arg === '') return { parentBased: known.parentBased, ratio: 1 }; // the spec's default for traceidratio
  const ratio = Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new EnvValueError(`OTEL_TRACES_SAMPLER_ARG=${arg} must be a number from 0 to 1`);
  return { parentBased: known.parentBased, ratio };
};

/** The traces exporter OTEL_TRACES_EXPORTER names (its first entry), OpenTelemetry's `otlp` when unset. */
function tracesExporter(env: Readonly<Record<string, string | undefined>>): string {
  return (list(env.OTEL_TRACES_EXPORTER?.toLowerCase() ?? '', env) as string[])[0] ?? 'otlp';
}

/** `parser`, applied only when the traces exporter in force is (`zipkin`) or is not (`otlp`, …) Zipkin: each reads its own endpoint variables. */
export function forTracesExporter(zipkin: boolean, parser: EnvParser): EnvParser {
  return (raw, env) => ((tracesExporter(env) === 'zipkin') === zipkin ? parser(raw, env) : undefined);
}
