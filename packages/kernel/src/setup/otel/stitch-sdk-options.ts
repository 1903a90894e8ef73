import type { TextMapPropagator } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import type { IdGenerator, Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { WarnLogger } from '../../pipeline/budgets/budget-processor.js';
import { createRedactor } from '../../pipeline/redaction/redactor.js';
import type { Redactor } from '../../pipeline/redaction/redactor.js';
import { loadConfig } from '../config/load-config.js';
import type { StitchConfig } from '../config/stitch-config.js';
import { activateExternalPipeline } from '../start-stitch.js';
import { newSpanId, newTraceId } from '../../core/context/ids.js';
import { stitchPropagator } from '../../core/propagation/index.js';
import { applySemconvOptIn } from '../../core/tracing/semconv-opt-in.js';
import { warnUnknownVariables } from '../config/warn-unknown-variables.js';
import { buildResource, buildStitchPipeline, kernelWarnings, resolveTracingOptions } from './stitch-pipeline.js';

/**
 * Stitch's pieces as `NodeSDK` options (the keys of `@opentelemetry/sdk-node`'s configuration),
 * to spread into the user's own SDK. Mutable arrays, as NodeSDK's types want them.
 */
export interface StitchSdkOptions {
  /** Head rules (parent-based, ratio, per route and tenant) that record what the tail keep needs. */
  sampler: Sampler;
  /** strict tenants → context attributes → marks on instrumentation-pg/http/undici spans → budgets → observers → tail keep → batch export with redaction and counted drops */
  spanProcessors: SpanProcessor[];
  /** W3C trace context and baggage, with Stitch's trust rules (`@stitch/kernel/propagation`). */
  textMapPropagator: TextMapPropagator;
  /** `service.name` from the config, over OTEL_RESOURCE_ATTRIBUTES; NodeSDK merges its detectors' attributes in. */
  resource: Resource;
  idGenerator: IdGenerator;
}

export interface StitchSdkExtras {
  /** Your own exporter instead of the one the config names; still redacted, batched and counted. */
  readonly exporter?: SpanExporter;
  /** Extra processors that receive what the tail keep keeps (a test's in-memory one). */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Defaults to the one built from `config.redaction`. */
  readonly redactor?: Redactor;
  /** Where budget violations and export drops are reported; by default the kernel's own logger. */
  readonly logger?: WarnLogger;
  /** Environment the config is loaded from when none is given; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The integration mode: Stitch inside the service's own `NodeSDK`, which keeps its
 * instrumentations and registers the globals. Nothing is registered here; `stitchStats()`-style
 * counters (`samplingStats()`, `exportStats()`, `budgetStats()`) read this pipeline from now on.
 * Disabled (`enabled: false`, OTEL_SDK_DISABLED), the sampler records nothing and no processor
 * is given.
 *
 * @param config the loaded config; `loadConfig({ env })` (env, then STITCH_CONFIG's file) by default.
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` on a bad config or OTEL_* value.
 * @example
 *   import { NodeSDK } from '@opentelemetry/sdk-node';
 *   import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
 *   import { stitchSdkOptions } from '@stitch/kernel/otel';
 *
 *   new NodeSDK({ ...stitchSdkOptions(), instrumentations: [getNodeAutoInstrumentations()] }).start();
 */
export function stitchSdkOptions(config?: StitchConfig, extras: StitchSdkExtras = {}): StitchSdkOptions {
  const loaded = config ?? loadConfig(extras.env === undefined ? {} : { env: extras.env });
  const options = {
    redactor: extras.redactor ?? createRedactor(loaded.redaction),
    ...(extras.logger !== undefined && { logger: extras.logger }),
    ...(extras.exporter !== undefined && { exporter: extras.exporter }),
    ...(extras.spanProcessors !== undefined && { spanProcessors: extras.spanProcessors }),
  };
  const tracing = resolveTracingOptions(options, loaded, true);
  applySemconvOptIn(loaded.semconv.stabilityOptIn);
  warnUnknownVariables(loaded, kernelWarnings(extras.logger, loaded.service.name));
  if (!tracing.enabled) {
    activateExternalPipeline(tracing, undefined);
    return {
      sampler: new AlwaysOffSampler(),
      spanProcessors: [],
      textMapPropagator: stitchPropagator,
      resource: buildResource(options, loaded),
      idGenerator: { generateTraceId: newTraceId, generateSpanId: newSpanId },
    };
  }
  const pipeline = buildStitchPipeline(options, tracing, loaded);
  activateExternalPipeline(tracing, pipeline);
  return {
    sampler: pipeline.sampler,
    spanProcessors: [...pipeline.spanProcessors],
    textMapPropagator: pipeline.propagator,
    resource: pipeline.resource,
    idGenerator: pipeline.idGenerator,
  };
}
