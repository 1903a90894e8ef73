import { z } from 'zod';
import { OtlpProtocolSchema } from '../../pipeline/export/otlp-protocol.js';
import { mergeDeep, parseOptions } from '../options/parse-options.js';

const Ratio = z.number().min(0).max(1);
const Millis = z.number().int().positive();

/**
 * One head-sampling rule. The first rule whose every given field matches a root span wins;
 * `route` matches the `http.route` attribute (or `url.path`) of the root span, `tenant` the
 * `tenant.id` attribute or the tenant already in the Stitch scope.
 *
 * @example `{ route: '/health', ratio: 0 }`, `{ tenant: '6f1c…', ratio: 1 }`
 */
export const SamplingRuleSchema = z
  .object({
    route: z.string().min(1).optional(),
    tenant: z.string().min(1).optional(),
    ratio: Ratio,
  })
  .refine((rule) => rule.route !== undefined || rule.tenant !== undefined, { message: 'a sampling rule needs route or tenant' });
export type SamplingRule = z.infer<typeof SamplingRuleSchema>;

export const SamplingOptionsSchema = z.object({
  /** Head ratio for root spans, 0..1; deterministic on the trace id (OTEL_TRACES_SAMPLER_ARG). */
  ratio: Ratio.default(1),
  /**
   * Follow the parent's sampled flag (OpenTelemetry's `parentbased_*`, the default). `false`
   * applies the ratio to every span (`traceidratio`, `always_on`, `always_off`).
   */
  parentBased: z.boolean().default(true),
  /** Rules by route and tenant, first match wins; they override `ratio` for root spans. */
  rules: z.array(SamplingRuleSchema).default([]),
  /** The in-process tail sampler; off means head decisions only. */
  tail: z
    .object({
      enabled: z.boolean().default(true),
      /** Local traces held at once; a root starting past this is decided by the head alone. */
      maxTraces: z.number().int().positive().default(1024),
      /** Ended spans held at once across all traces; past this, unsampled spans are dropped and counted. */
      maxSpans: z.number().int().positive().default(16_384),
      /**
       * A local root still open after this long (never ended: a leak in the caller) is evicted:
       * its slot is freed and its held spans exported or dropped as decided so far, counted.
       */
      maxTraceAgeMillis: Millis.default(600_000),
    })
    .prefault({}),
});
export type SamplingOptions = z.infer<typeof SamplingOptionsSchema>;

export const ExportOptionsSchema = z.object({
  /** Where spans go. `none` records (for the tail and budgets) but sends nothing. */
  exporter: z.enum(['otlp', 'zipkin', 'console', 'none']).default('otlp'),
  /** OTLP encoding (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL); `grpc` is not supported. */
  protocol: OtlpProtocolSchema.default('http/protobuf'),
  /** Full URL of the traces endpoint; defaults to the exporter's own (`http://localhost:4318/v1/traces`, Zipkin `:9411/api/v2/spans`). */
  endpoint: z.url().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  /** Spans waiting for export; past this, new spans are dropped and counted. */
  maxQueueSize: z.number().int().positive().default(2048),
  maxExportBatchSize: z.number().int().positive().default(512),
  scheduledDelayMillis: Millis.default(1000),
  /** One export attempt (request and retries) gives up after this. */
  exportTimeoutMillis: Millis.default(10_000),
  /** shutdown() flushes for at most this long, then drops (and counts) what is left. */
  shutdownTimeoutMillis: Millis.default(5000),
});
export type ExportOptions = z.infer<typeof ExportOptionsSchema>;

const Overrides = z.record(z.string(), Millis).default({});

/** Budgets per component, and per name (route template, query name, destination host, job name). */
export const BudgetOptionsSchema = z.object({
  enabled: z.boolean().default(true),
  routeMillis: Millis.default(500),
  queryMillis: Millis.default(200),
  externalMillis: Millis.default(800),
  jobMillis: Millis.default(30_000),
  overrides: z
    .object({ route: Overrides, query: Overrides, external: Overrides, job: Overrides })
    .prefault({}),
});
export type BudgetOptions = z.infer<typeof BudgetOptionsSchema>;

/** Options of sampling, export and budgets (section `tracing` of the Stitch config). Every field has a default. */
export const TracingOptionsSchema = z.object({
  /** `false`: no tracer provider at all; contexts and log fields still work (STITCH_ENABLED, OTEL_SDK_DISABLED). */
  enabled: z.boolean().default(true),
  sampling: SamplingOptionsSchema.prefault({}),
  export: ExportOptionsSchema.prefault({}),
  budgets: BudgetOptionsSchema.prefault({}),
});
export type TracingOptions = z.infer<typeof TracingOptionsSchema>;
export type TracingOptionsInput = z.input<typeof TracingOptionsSchema>;

/**
 * Validates and freezes the tracing section: `explicit` wins over `fromEnv` (the loaded
 * config's section, OTEL_* variables folded in by the loader's table), which wins over the
 * defaults above.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming every bad field.
 * @example
 *   const options = parseTracingOptions({ sampling: { ratio: 0.1 } }, loadConfig().tracing);
 */
export function parseTracingOptions(explicit: TracingOptionsInput = {}, fromEnv: TracingOptionsInput = {}): TracingOptions {
  return parseOptions(TracingOptionsSchema, mergeDeep(fromEnv, explicit), 'tracing');
}

