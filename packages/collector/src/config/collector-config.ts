import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { StitchError } from '@stitch/contract';
import { INGEST_AUTH_MODES } from '../auth/ingest-access.js';
import { DEFAULT_RECORD_LIMITS } from '../otlp/record-limits.js';
import { LOG_LEVELS } from '../server/collector-logger.js';

/**
 * `stitch serve` configuration: defaults < YAML file (`collector:` section of the shared
 * stitch.yaml) < environment (`STITCH_*`) < flags. Validated once, then frozen (STYLE.md §12).
 */
export const CollectorConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(4318),
    /**
     * OTLP/gRPC (`TraceService`, `LogsService`) on the same host, the port OTLP's gRPC exporters
     * send to by default; `off` serves none. Unset, it is 4317, or a free port when `port` is 0
     * (a free port for one means a free port for both: tests and embedded collectors).
     */
    grpcPort: z.union([z.number().int().min(0).max(65535), z.literal('off')]).optional(),
    /** The DuckDB file; tokens live beside it in `<data>.tokens.json`. */
    data: z.string().min(1).default('stitch.duckdb'),
    /**
     * Where spans and logs live, when not in the DuckDB file `data`:
     * `clickhouse://user[:password]@host:8123/database` (`clickhouses://` over TLS) answers every
     * question from ClickHouse, on the OpenTelemetry Collector clickhouseexporter's `otel_traces`
     * and `otel_logs` (docs/past-one-machine.md). `chdb:///directory` runs that engine inside
     * the process (the optional package chdb), to try it without a server. Tokens stay beside `data`.
     */
    store: z
      .string()
      .regex(/^(clickhouses?:\/\/[^/]+(\/[A-Za-z0-9_]*)?|chdb:.+)$/, 'a clickhouse://user@host:8123/database URL, or chdb:///directory (embedded ClickHouse)')
      .optional(),
    /** Largest accepted OTLP body, compressed or not (413 above it). */
    maxBodyBytes: z.number().int().positive().default(16 * 1024 * 1024),
    /** Spans + log records waiting for the store before senders get 429. */
    maxQueueRecords: z.number().int().positive().default(100_000),
    retryAfterSeconds: z.number().int().positive().default(2),
    /**
     * OTLP requests being read, decoded or waiting for their commit at once; more get 429. With
     * maxBodyBytes this bounds the memory bodies can hold (64 × 16 MiB), as the queue bounds rows.
     */
    maxInflightRequests: z.number().int().positive().default(64),
    /**
     * Declared body bytes all in-flight OTLP requests may hold together (a body without a
     * content-length counts as maxBodyBytes); more get 429. Bounds the memory bodies take
     * however many senders arrive at once (40 bodies of 12.8 MB once took RSS to 1.8 GB).
     */
    maxInflightBytes: z.number().int().positive().default(128 * 1024 * 1024),
    /** In-flight OTLP requests one sender (address) may hold, so one retry loop cannot take every slot. */
    maxInflightPerSender: z.number().int().positive().default(16),
    /**
     * Time from a request's arrival until its body must have been read; slower uploads get 408
     * and free their slot, so trickling or stalled senders cannot hold the in-flight slots for
     * Node's 300 s requestTimeout.
     */
    bodyTimeoutMillis: z.number().int().positive().default(10_000),
    /**
     * OTLP ingest tokens (`ingest:write`): `off` looks at none (any local process may write, as
     * before), `optional` checks a token when one is sent, `required` refuses ingest without one
     * (401). A tenant-bound ingest token stores what it sends under its tenant.
     */
    ingestAuth: z.enum(INGEST_AUTH_MODES).default('off'),
    /**
     * What one span or log record may hold (OpenTelemetry's limit semantics: longer strings are
     * truncated, attributes, events and links past the count dropped, each cut counted).
     */
    recordLimits: z
      .object({
        attributeValueLength: z.number().int().positive().default(DEFAULT_RECORD_LIMITS.attributeValueLength),
        attributesPerRecord: z.number().int().positive().default(DEFAULT_RECORD_LIMITS.attributesPerRecord),
        eventsPerSpan: z.number().int().min(0).default(DEFAULT_RECORD_LIMITS.eventsPerSpan),
        linksPerSpan: z.number().int().min(0).default(DEFAULT_RECORD_LIMITS.linksPerSpan),
      })
      .prefault({}),
    retention: z
      .object({
        maxAgeHours: z.number().positive().default(24 * 7),
        /** Upper bound of the data file's used size; oldest data goes first. */
        maxSizeMb: z.number().positive().default(2048),
        checkIntervalSeconds: z.number().positive().default(60),
        /** Audit rows are kept by age alone (the size limit never trims them). */
        auditMaxAgeDays: z.number().positive().default(90),
      })
      .prefault({}),
    audit: z
      .object({
        /** Refused API requests (401, 403, 429) of one token or IP written one row each, per second; the rest are summarised with a count. */
        maxRefusalRowsPerSecond: z.number().int().min(0).default(5),
        /** How often buffered refusal rows are written, in one transaction. */
        flushIntervalMillis: z.number().int().positive().default(1000),
      })
      .prefault({}),
    forward: z
      .object({
        /** Base URL of an upstream OTLP/HTTP receiver, e.g. http://otel-collector:4318. */
        url: z.url().optional(),
        maxQueuedPayloads: z.number().int().positive().default(1000),
        /** Bytes the queued payloads may hold together; past it payloads are dropped and counted. */
        maxQueuedBytes: z.number().int().positive().default(64 * 1024 * 1024),
        /** One attempt's limit. */
        timeoutMillis: z.number().int().positive().default(10_000),
        headers: z.record(z.string(), z.string()).default({}),
        compression: z.enum(['gzip', 'none']).default('gzip'),
        /** Attempts per payload (the first included), retried on network errors, timeouts, 429, 502, 503, 504. */
        maxAttempts: z.number().int().positive().default(5),
        /** No retry starts later than this after a payload's first attempt. */
        maxElapsedMillis: z.number().int().positive().default(60_000),
        initialBackoffMillis: z.number().int().min(0).default(1000),
        /** Cap of one wait, the upstream's Retry-After included. */
        maxBackoffMillis: z.number().int().min(0).default(30_000),
        /** What `close()` (shutdown) waits for the queue to drain before dropping the rest. */
        shutdownTimeoutMillis: z.number().int().min(0).default(5_000),
      })
      .prefault({}),
    limits: z
      .object({
        /** Lines per second one follow stream may deliver; the rest are dropped and counted. */
        maxTailLinesPerSecond: z.number().positive().default(200),
        /** Widest `since..until` window one query may cover. */
        maxQueryWindowHours: z.number().positive().default(24 * 7),
        maxConcurrentStreamsPerToken: z.number().int().positive().default(3),
      })
      .prefault({}),
    /** Serve the web UI from this folder when it exists (defaults to the package's ui-dist/). */
    uiDir: z.string().optional(),
    memoryLimit: z.string().default('1GB'),
    /**
     * On shutdown, how long open connections (requests in flight, follow streams, slow readers)
     * may take before they are cut, so stopping never waits on a client.
     */
    shutdownGraceMillis: z.number().int().min(0).default(5_000),
    /** The server log's level (pino JSON lines on stderr): every 500 is logged at `error`. */
    logLevel: z.enum(LOG_LEVELS).default('warn'),
  })
  .strict()
  .transform((config) => ({ ...config, grpcPort: config.grpcPort ?? (config.port === 0 ? 0 : 4317) }));

export type CollectorConfig = Readonly<z.infer<typeof CollectorConfigSchema>>;
export type CollectorConfigInput = z.input<typeof CollectorConfigSchema>;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Validates and freezes a config object; throws STITCH_ERR_CONFIG_INVALID naming the field. */
export function resolveCollectorConfig(input: CollectorConfigInput): CollectorConfig {
  const parsed = CollectorConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
    throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail });
  }
  return deepFreeze(parsed.data);
}

function numberFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : Number.NaN;
}

/**
 * The one place that reads the environment and the YAML file (STYLE.md §12). `flags` win.
 *
 * @example loadCollectorConfig({ port: 0, data: '/tmp/x.duckdb' }, process.env)
 */
export function loadCollectorConfig(
  flags: CollectorConfigInput & { config?: string },
  env: NodeJS.ProcessEnv = process.env,
): CollectorConfig {
  const { config: configPath = env.STITCH_CONFIG, ...flagValues } = flags;
  let fromFile: Record<string, unknown> = {};
  if (configPath) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (err) {
      throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: `cannot read ${configPath}: ${(err as Error).message}` });
    }
    const doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
    fromFile = (typeof doc.collector === 'object' && doc.collector !== null ? doc.collector : doc) as Record<string, unknown>;
  }
  const fromEnv: Record<string, unknown> = {};
  if (env.STITCH_HOST) fromEnv.host = env.STITCH_HOST;
  const port = numberFrom(env.STITCH_PORT);
  if (port !== undefined) fromEnv.port = port;
  if (env.STITCH_GRPC_PORT) fromEnv.grpcPort = env.STITCH_GRPC_PORT === 'off' ? 'off' : Number(env.STITCH_GRPC_PORT);
  if (env.STITCH_DATA) fromEnv.data = env.STITCH_DATA;
  if (env.STITCH_STORE) fromEnv.store = env.STITCH_STORE;
  const maxBody = numberFrom(env.STITCH_MAX_BODY_BYTES);
  if (maxBody !== undefined) fromEnv.maxBodyBytes = maxBody;
  if (env.STITCH_LOG_LEVEL) fromEnv.logLevel = env.STITCH_LOG_LEVEL;
  if (env.STITCH_INGEST_AUTH) fromEnv.ingestAuth = env.STITCH_INGEST_AUTH;
  if (env.STITCH_FORWARD_URL) fromEnv.forward = { ...(fromFile.forward as object), url: env.STITCH_FORWARD_URL };
  const defined = Object.fromEntries(Object.entries(flagValues).filter(([, v]) => v !== undefined));
  return resolveCollectorConfig({ ...fromFile, ...fromEnv, ...defined } as CollectorConfigInput);
}
