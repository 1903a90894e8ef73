import { boolean, disabledFlag, firstLowercase, forTracesExporter, headerPair, integer, jsonStringArray, keyValueList, list, sampler, signalEndpoint, text } from './env-parsers.js';
import type { EnvParser } from './env-parsers.js';

/**
 * One environment variable and the config key it sets. The table below is the only place
 * env var names live: the loader applies it, docs/configuration.md is checked against it.
 */
export interface EnvMapping {
  readonly name: string;
  /** Dotted path in the config (`logs.otlp.endpoint`). */
  readonly path: string;
  /** Several keys under `path` set by one variable (OTEL_TRACES_SAMPLER: `parentBased` and `ratio`); the docs list the variable at each. */
  readonly sets?: readonly string[];
  /**
   * How the loader reads it. Absent: it is read with another variable, or by another module,
   * named in `readBy`, and the row is here for documentation.
   */
  readonly parse?: EnvParser;
  readonly readBy?: string;
  readonly description: string;
  /** The value is never echoed in errors or docs (headers carrying API keys, shared secrets). */
  readonly secret?: boolean;
}

/** Read by the loader itself (not a key): the YAML file to load. */
export const CONFIG_FILE_ENV = 'STITCH_CONFIG';


/**
 * `STITCH_*` variables that `stitch` (the collector and its CLI) reads, not the kernel: a service
 * started beside it in one environment is not warned about them. Kept in step with the collector's
 * readers by config-reference.test.ts.
 */
export const COLLECTOR_ENV: readonly string[] = Object.freeze([
  'STITCH_HOST',
  'STITCH_PORT',
  'STITCH_GRPC_PORT',
  'STITCH_DATA',
  'STITCH_STORE',
  'STITCH_MAX_BODY_BYTES',
  'STITCH_INGEST_AUTH',
  'STITCH_FORWARD_URL',
  'STITCH_URL',
  'STITCH_TOKEN',
]);

/**
 * Rows are applied in order, so where two variables set one key the later row wins: a
 * signal-specific OTLP variable beats the generic one, and a `STITCH_*` variable beats the
 * OpenTelemetry one.
 */
export const ENV_MAPPING: readonly EnvMapping[] = Object.freeze([
  // Top level
  { name: 'OTEL_SDK_DISABLED', path: 'enabled', parse: disabledFlag, description: '`true` turns the kernel into a no-op path (contexts and log fields still work; nothing is recorded or exported).' },
  { name: 'STITCH_ENABLED', path: 'enabled', parse: boolean, description: '`false` is the same as OTEL_SDK_DISABLED=true; wins over it when both are set.' },
  { name: 'OTEL_SERVICE_NAME', path: 'service.name', parse: text, description: 'The service name on every span and log line.' },
  { name: 'STITCH_SERVICE_NAME', path: 'service.name', parse: text, description: 'Same as OTEL_SERVICE_NAME; wins over it.' },
  { name: 'OTEL_RESOURCE_ATTRIBUTES', path: 'service.resourceAttributes', parse: keyValueList, description: 'Extra resource attributes, `key=value,key2=value2` (percent-encoded); `service.name` here is used when no name is set otherwise.' },
  { name: 'STITCH_NODE_ID', path: 'service.nodeId', parse: text, description: '`node_id` on every log line.' },
  { name: 'STITCH_STRICT', path: 'strict', parse: boolean, description: '`true`: drift (a log line or query outside any context, a job or webhook sent from nowhere, an event without trace headers, mixed tenants) throws instead of being counted.' },
  { name: 'NODE_ENV', path: 'strict', readBy: 'the loader, when neither STITCH_STRICT nor the file sets `strict`', description: 'When `strict` is unset, strict mode is on under `test` and `development`, off otherwise.' },

  // logs
  { name: 'STITCH_LOG_LEVEL', path: 'logs.level', parse: text, description: 'Lowest level written.' },
  { name: 'OTEL_LOGS_EXPORTER', path: 'logs.otlp.exporter', parse: firstLowercase, description: '`otlp` also sends log lines over OTLP/HTTP; `none` keeps them on stdout only. Unset: `otlp` when an OTLP endpoint variable is set, else `none`.' },
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', path: 'logs.otlp.endpoint', parse: signalEndpoint('v1/logs'), description: 'Base OTLP/HTTP URL of logs and traces; for logs, `/v1/logs` is appended.' },
  { name: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', path: 'logs.otlp.endpoint', parse: text, description: 'Full URL of the OTLP logs endpoint.' },
  { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', path: 'logs.otlp.protocol', parse: text, description: 'OTLP encoding of logs and traces; for logs (`http/protobuf` or `http/json`).' },
  { name: 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', path: 'logs.otlp.protocol', parse: text, description: 'OTLP encoding for logs; wins over OTEL_EXPORTER_OTLP_PROTOCOL.' },
  { name: 'OTEL_EXPORTER_OTLP_HEADERS', path: 'logs.otlp.headers', parse: keyValueList, secret: true, description: 'Headers sent with every OTLP request (logs and traces), `key=value,…`; for logs.' },
  { name: 'OTEL_EXPORTER_OTLP_LOGS_HEADERS', path: 'logs.otlp.headers', parse: keyValueList, secret: true, description: 'Headers for OTLP logs requests, added to OTEL_EXPORTER_OTLP_HEADERS.' },
  { name: 'OTEL_EXPORTER_OTLP_TIMEOUT', path: 'logs.otlp.exportTimeoutMillis', parse: integer, description: 'Milliseconds one OTLP export (logs and traces) may take; for logs.' },
  { name: 'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT', path: 'logs.otlp.exportTimeoutMillis', parse: integer, description: 'Same, for logs only; wins over OTEL_EXPORTER_OTLP_TIMEOUT.' },
  { name: 'OTEL_BLRP_MAX_QUEUE_SIZE', path: 'logs.otlp.maxQueueSize', parse: integer, description: 'Log records waiting for export; past this they are dropped and counted.' },
  { name: 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE', path: 'logs.otlp.maxExportBatchSize', parse: integer, description: 'Log records per export request.' },
  { name: 'OTEL_BLRP_SCHEDULE_DELAY', path: 'logs.otlp.scheduledDelayMillis', parse: integer, description: 'Milliseconds between two log exports.' },

  // redaction
  { name: 'STITCH_REDACT_KEYS', path: 'redaction.keys', parse: list, description: 'Replaces the default list of redacted keys (comma-separated).' },
  { name: 'STITCH_REDACT_EXTRA_KEYS', path: 'redaction.extraKeys', parse: list, description: 'Keys redacted in addition to the defaults (comma-separated).' },
  { name: 'STITCH_REDACT_PATTERNS', path: 'redaction.patterns', parse: jsonStringArray, description: 'Extra value patterns, a JSON array of regular expressions.' },

  // edge
  { name: 'STITCH_EDGE_TRUSTED_UPSTREAMS', path: 'edge.trustedUpstreams', parse: list, description: 'Addresses or CIDRs whose trace headers are continued (comma-separated).' },
  { name: 'STITCH_EDGE_TRUSTED_SECRET_HEADER', path: 'edge.trustedSecretHeader', parse: headerPair, secret: true, description: '`name=value`: a header that marks a trusted upstream.' },
  { name: 'STITCH_EDGE_TRUST_REQUIRES_BOTH', path: 'edge.trustRequiresBoth', parse: boolean, description: '`true`: a trusted upstream needs both the address and the secret header.' },

  // httpOut
  { name: 'STITCH_HTTP_OUT_ENABLED', path: 'httpOut.enabled', parse: boolean, description: '`false` installs no outbound HTTP tracing.' },
  { name: 'STITCH_HTTP_OUT_TRUSTED_DESTINATIONS', path: 'httpOut.trustedDestinations', parse: list, description: 'Destinations that receive tenant baggage (comma-separated hosts, `*.domain`, `host:port` or origins).' },

  // db
  { name: 'STITCH_DB_COMMENT', path: 'db.comment', parse: boolean, description: '`false` sends SQL without the sqlcommenter comment.' },
  { name: 'STITCH_DB_NAMED_STATEMENTS', path: 'db.namedStatements', parse: text, description: 'How named prepared statements are commented.' },

  // tracing: budgets
  { name: 'STITCH_BUDGET_ROUTE_MS', path: 'tracing.budgets.routeMillis', parse: integer, description: 'Route budget in milliseconds.' },
  { name: 'STITCH_BUDGET_QUERY_MS', path: 'tracing.budgets.queryMillis', parse: integer, description: 'Query budget in milliseconds.' },
  { name: 'STITCH_BUDGET_EXTERNAL_MS', path: 'tracing.budgets.externalMillis', parse: integer, description: 'External call budget in milliseconds.' },
  { name: 'STITCH_BUDGET_JOB_MS', path: 'tracing.budgets.jobMillis', parse: integer, description: 'Job budget in milliseconds.' },
  // tracing: sampling and export, by OpenTelemetry's rules (the SDK's own reading of them is
  // never used: the kernel hands every value to its sampler and exporter explicitly).
  { name: 'OTEL_TRACES_SAMPLER', path: 'tracing.sampling', sets: ['parentBased', 'ratio'], parse: sampler, description: 'Sets `parentBased` and `ratio`: `always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, `parentbased_always_off`, `parentbased_traceidratio`.' },
  { name: 'OTEL_TRACES_SAMPLER_ARG', path: 'tracing.sampling.ratio', readBy: 'OTEL_TRACES_SAMPLER', description: 'Ratio 0..1 for the `*traceidratio` samplers (1 when unset).' },
  { name: 'OTEL_TRACES_EXPORTER', path: 'tracing.export.exporter', parse: firstLowercase, description: '`otlp`, `zipkin`, `console` or `none`.' },
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', path: 'tracing.export.endpoint', parse: forTracesExporter(false, signalEndpoint('v1/traces')), description: 'For traces: the base URL with `/v1/traces` appended (not with the Zipkin exporter).' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', path: 'tracing.export.endpoint', parse: forTracesExporter(false, text), description: 'Full URL of the OTLP traces endpoint; wins over OTEL_EXPORTER_OTLP_ENDPOINT.' },
  { name: 'OTEL_EXPORTER_ZIPKIN_ENDPOINT', path: 'tracing.export.endpoint', parse: forTracesExporter(true, text), description: 'Zipkin v2 endpoint when OTEL_TRACES_EXPORTER=zipkin.' },
  { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', path: 'tracing.export.protocol', parse: text, description: 'For traces: the OTLP encoding (`http/protobuf` or `http/json`).' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', path: 'tracing.export.protocol', parse: text, description: 'OTLP encoding for traces; wins over OTEL_EXPORTER_OTLP_PROTOCOL.' },
  { name: 'OTEL_EXPORTER_OTLP_HEADERS', path: 'tracing.export.headers', parse: keyValueList, secret: true, description: 'For traces: the headers of every OTLP request.' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', path: 'tracing.export.headers', parse: keyValueList, secret: true, description: 'Headers for OTLP traces requests, added to OTEL_EXPORTER_OTLP_HEADERS.' },
  { name: 'OTEL_BSP_EXPORT_TIMEOUT', path: 'tracing.export.exportTimeoutMillis', parse: integer, description: 'Milliseconds one span export may take.' },
  { name: 'OTEL_EXPORTER_OTLP_TIMEOUT', path: 'tracing.export.exportTimeoutMillis', parse: integer, description: 'For traces: milliseconds one export may take; wins over OTEL_BSP_EXPORT_TIMEOUT.' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', path: 'tracing.export.exportTimeoutMillis', parse: integer, description: 'Milliseconds one traces export may take; wins over the two above.' },
  { name: 'OTEL_BSP_SCHEDULE_DELAY', path: 'tracing.export.scheduledDelayMillis', parse: integer, description: 'Milliseconds between two span exports.' },
  { name: 'OTEL_BSP_MAX_QUEUE_SIZE', path: 'tracing.export.maxQueueSize', parse: integer, description: 'Spans waiting for export; past this they are dropped and counted.' },
  { name: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', path: 'tracing.export.maxExportBatchSize', parse: integer, description: 'Spans per export request.' },

  // semconv
  { name: 'OTEL_SEMCONV_STABILITY_OPT_IN', path: 'semconv.stabilityOptIn', parse: list, description: 'OpenTelemetry\'s stability opt-in list: `database/dup` also writes `db.system` (and `db.query.name`) on query spans, `messaging/dup` also `messaging.system` on job spans, beside the current names. Read once at start.' },
] satisfies EnvMapping[]);
