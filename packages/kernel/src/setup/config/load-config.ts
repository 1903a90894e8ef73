import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { StitchError } from '../../core/errors/stitch-error.js';
import { EnvValueError } from './env-parsers.js';
import { COLLECTOR_ENV, CONFIG_FILE_ENV, ENV_MAPPING } from './env-mapping.js';
import type { EnvMapping } from './env-mapping.js';
import { deepFreeze, mergeDeep, nearestKey, unknownKeys } from '../../core/options/parse-options.js';
import { StitchConfigSchema, UNKNOWN_SERVICE_NAME } from './stitch-config.js';
import { strictByNodeEnv } from './strict-mode.js';
import type { StitchConfig } from './stitch-config.js';

type Env = Readonly<Record<string, string | undefined>>;
type Tree = Record<string, unknown>;

const COLLECTOR_SECTION = 'collector';

export interface LoadConfigOptions {
  /** Default `process.env`. */
  readonly env?: Env;
  /** A YAML file with the same shape as the config; default: the path in STITCH_CONFIG, else none. */
  readonly file?: string;
}

interface EnvSource {
  readonly row: EnvMapping;
  readonly raw: string;
}

/**
 * The one place configuration is read: defaults, then the YAML file, then environment
 * variables (the later wins), validated once against every section's schema and deep-frozen.
 * Env var names and their keys are listed in `env-mapping.ts` and docs/configuration.md.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad key (env var or YAML path),
 *   its value and what is allowed; also for an unreadable file or an unknown key in it.
 * @example
 *   const config = loadConfig(); // STITCH_CONFIG=stitch.yaml STITCH_LOG_LEVEL=debug …
 *   const logger = createLogger({ service: config.service.name, nodeId: config.service.nodeId, level: config.logs.level });
 */
export function loadConfig(options: LoadConfigOptions = {}): StitchConfig {
  const env = options.env ?? process.env;
  const fromEnvFile = nonEmpty(env[CONFIG_FILE_ENV]);
  const file = options.file ?? fromEnvFile;
  const fileLabel = options.file === undefined && fromEnvFile !== undefined ? `${CONFIG_FILE_ENV}=${fromEnvFile}` : file;
  // One stitch.yaml may configure the service and the collector: `collector:` is the
  // collector's to validate, never the kernel's.
  const { [COLLECTOR_SECTION]: _collectorSection, ...fromFile } = file === undefined ? {} : readYaml(file, fileLabel ?? file);
  const unknown = unknownKeys(StitchConfigSchema, fromFile, []);
  if (unknown.length > 0) {
    fail(unknown.map(({ path, allowed }) => `${path.join('.')} in ${fileLabel}: unknown key; allowed here: ${allowed.join(', ')}`));
  }

  const sources = new Map<string, EnvSource>();
  const fromEnv = readEnv(env, sources);
  // Under the file: an explicit `logs.otlp.exporter` there still wins over the implied default.
  const implied = mergeDeep(impliedLogExporter(env), fromFile);
  const merged = mergeDeep(implied, fromEnv) as Tree;

  const parsed = StitchConfigSchema.safeParse(merged);
  if (!parsed.success) {
    fail(parsed.error.issues.map((issue) => describeIssue(issue, merged, fromFile, sources, fileLabel)));
  }
  const config = parsed.data;
  const explicitName = (merged.service as Tree | undefined)?.name;
  const resourceName = config.service.resourceAttributes['service.name'];
  if (explicitName === undefined && resourceName !== undefined && config.service.name === UNKNOWN_SERVICE_NAME) {
    config.service.name = resourceName; // OpenTelemetry: OTEL_SERVICE_NAME > service.name in OTEL_RESOURCE_ATTRIBUTES
  }
  // Unset by the file and STITCH_STRICT: NODE_ENV decides, by strict mode's own rule.
  config.strict ??= strictByNodeEnv(env.NODE_ENV);
  if (!config.enabled) {
    // Disabled means nothing is recorded or exported, whichever section asked for export.
    config.tracing.enabled = false;
    config.logs.otlp.exporter = 'none';
  }
  const frozen = deepFreeze(config);
  setByUser.set(frozen, leafPaths(mergeDeep(fromFile, fromEnv), ''));
  unknownVariables.set(frozen, findUnknownVariables(env));
  return frozen;
}

/** A `STITCH_*` variable no row of the table reads, and the known name it is likely a typo of. */
export interface UnknownVariable {
  readonly name: string;
  readonly nearest?: string;
}

const unknownVariables = new WeakMap<StitchConfig, readonly UnknownVariable[]>();

/**
 * The `STITCH_*` variables of the environment a config was loaded from that nothing reads (a
 * typo such as `STITCH_LOG_LEVLE` would otherwise leave its default in force without a word);
 * `startStitch` warns about them once. Names the collector reads are not counted.
 */
export function unknownStitchVariables(config: StitchConfig): readonly UnknownVariable[] {
  return unknownVariables.get(config) ?? [];
}

const STITCH_PREFIX = 'STITCH_';
const KNOWN_VARIABLES: ReadonlySet<string> = new Set([CONFIG_FILE_ENV, ...ENV_MAPPING.map((row) => row.name), ...COLLECTOR_ENV]);
// Compared without the prefix all names share, so the typo's share of the name decides.
const KERNEL_SUFFIXES = [CONFIG_FILE_ENV, ...ENV_MAPPING.map((row) => row.name)].filter((name) => name.startsWith(STITCH_PREFIX)).map((name) => name.slice(STITCH_PREFIX.length));

function findUnknownVariables(env: Env): UnknownVariable[] {
  const found: UnknownVariable[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(STITCH_PREFIX) || KNOWN_VARIABLES.has(name) || env[name] === undefined) continue;
    const nearest = nearestKey(name.slice(STITCH_PREFIX.length), KERNEL_SUFFIXES);
    found.push({ name, ...(nearest !== undefined && { nearest: STITCH_PREFIX + nearest }) });
  }
  return found;
}

// The keys the file or the environment gave (not defaulted), per loaded config.
const setByUser = new WeakMap<StitchConfig, ReadonlySet<string>>();

/**
 * Whether `path` (dotted) of a config `loadConfig` returned was given by the YAML file or the
 * environment rather than defaulted: `startStitch` asks it of `tracing.export.exporter`.
 */
export function isSetByUser(config: StitchConfig, path: string): boolean {
  return setByUser.get(config)?.has(path) ?? false;
}

function leafPaths(tree: unknown, prefix: string, out = new Set<string>()): Set<string> {
  if (!isTree(tree)) {
    if (tree !== undefined) out.add(prefix);
    return out;
  }
  for (const [key, value] of Object.entries(tree)) leafPaths(value, prefix === '' ? key : `${prefix}.${key}`, out);
  return out;
}

function readEnv(env: Env, sources: Map<string, EnvSource>): Tree {
  let out: Tree = {};
  for (const row of ENV_MAPPING) {
    if (row.parse === undefined) continue;
    const raw = nonEmpty(env[row.name]);
    if (raw === undefined) continue;
    let value: unknown;
    try {
      value = row.parse(raw, env);
    } catch (error) {
      const allowed = error instanceof EnvValueError ? error.allowed : 'unreadable value';
      fail([`${row.name}=${shown(raw, row.secret === true)}: ${allowed}`]);
    }
    if (value === undefined) continue;
    out = mergeDeep(out, nest(row.path, value)) as Tree;
    sources.set(row.path, { row, raw });
  }
  return out;
}

/**
 * OpenTelemetry's default for every `OTEL_*_EXPORTER` is `otlp`, so an OTLP endpoint in the
 * environment turns log export on unless OTEL_LOGS_EXPORTER says otherwise. Without an endpoint
 * the default stays `none`: no export attempts to localhost that nobody asked for.
 */
function impliedLogExporter(env: Env): Tree {
  if (nonEmpty(env.OTEL_LOGS_EXPORTER) !== undefined) return {};
  const endpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return endpoint === undefined ? {} : { logs: { otlp: { exporter: 'otlp' } } };
}

function readYaml(file: string, label: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return fail([`${label}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    return fail([`${label}: not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  if (value === null || value === undefined) return {};
  if (!isTree(value)) return fail([`${label}: the top level must be a mapping of sections (service, logs, tracing, …)`]);
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, merged: Tree, fromFile: Tree, sources: Map<string, EnvSource>, fileLabel: string | undefined): string {
  const path = issue.path.map(String);
  const dotted = path.join('.');
  for (let length = path.length; length > 0; length -= 1) {
    const source = sources.get(path.slice(0, length).join('.'));
    if (source !== undefined) return `${source.row.name}=${shown(source.raw, source.row.secret === true)}: ${issue.message}`;
  }
  const value = valueAt(merged, path);
  const secret = /secret|headers|password|token/i.test(dotted);
  const where = fileLabel !== undefined && valueAt(fromFile, path) !== undefined ? `${dotted} in ${fileLabel}` : dotted;
  return `${where}=${value === undefined ? '(missing)' : shown(JSON.stringify(value) ?? String(value), secret)}: ${issue.message}`;
}

function fail(details: readonly string[]): never {
  // One variable can feed two settings (OTEL_EXPORTER_OTLP_PROTOCOL: logs and traces): say it once.
  throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: [...new Set(details)].join('; ') });
}

function shown(raw: string, secret: boolean): string {
  if (secret) return '[REDACTED]';
  return raw.length > 120 ? `${raw.slice(0, 120)}…` : raw;
}

function nest(path: string, value: unknown): Tree {
  const keys = path.split('.');
  let out: unknown = value;
  for (let i = keys.length - 1; i >= 0; i -= 1) out = { [keys[i] as string]: out };
  return out as Tree;
}

function valueAt(tree: unknown, path: readonly string[]): unknown {
  let current = tree;
  for (const key of path) {
    if (!isTree(current) && !Array.isArray(current)) return undefined;
    current = (current as Tree)[key];
  }
  return current;
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
