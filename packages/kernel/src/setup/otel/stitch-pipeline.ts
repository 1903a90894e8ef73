import type { Attributes, TextMapPropagator } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type { IdGenerator, Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { newSpanId, newTraceId } from '../../core/context/ids.js';
import { stitchPropagator } from '../../core/propagation/index.js';
import { ContextAttributesProcessor } from '../../core/tracing/context-attributes-processor.js';
import { StrictTenantsProcessor } from '../../core/tracing/strict-tenants-processor.js';
import { DriverQuerySpanProcessor } from '../../hops/db/driver-query-span.js';
import { InstrumentedClientSpanProcessor } from '../../hops/http-out/instrumented-client-span.js';
import { parseTracingOptions } from '../../core/tracing/tracing-options.js';
import type { TracingOptions, TracingOptionsInput } from '../../core/tracing/tracing-options.js';
import { BudgetProcessor } from '../../pipeline/budgets/budget-processor.js';
import type { BudgetStats, WarnLogger } from '../../pipeline/budgets/budget-processor.js';
import { BoundedBatchSpanProcessor } from '../../pipeline/export/bounded-batch-processor.js';
import type { ExportStats } from '../../pipeline/export/bounded-batch-processor.js';
import { createSpanExporter } from '../../pipeline/export/create-span-exporter.js';
import { createLogger } from '../../pipeline/logs/create-logger.js';
import { SampledOnlyProcessor, SpanObservers } from '../../pipeline/metrics/span-observers.js';
import { RedactingSpanExporter } from '../../pipeline/redaction/redacting-span-exporter.js';
import { defaultRedactor } from '../../pipeline/redaction/redactor.js';
import type { Redactor } from '../../pipeline/redaction/redactor.js';
import { createHeadSampler } from '../../pipeline/sampling/stitch-sampler.js';
import { emptySamplingStats, TailSamplingProcessor } from '../../pipeline/sampling/tail-sampling-processor.js';
import type { SamplingStats } from '../../pipeline/sampling/tail-sampling-processor.js';
import { isSetByUser } from '../config/load-config.js';
import type { StitchConfig } from '../config/stitch-config.js';
import { withoutStrictMode } from '../config/strict-mode.js';
import { FanOutProcessor } from './fan-out-processor.js';

/** What both modes build the pipeline from: `startStitch`'s options, less what only it registers. */
export interface StitchPipelineOptions {
  /** `service.name`; defaults to the config's (OTEL_SERVICE_NAME, then `service.name` in OTEL_RESOURCE_ATTRIBUTES, then `unknown_service:node`). */
  readonly serviceName?: string;
  /** Shorthand for `tracing.enabled`. `false` makes the kernel a no-op path: contexts and log fields still work, nothing is recorded. */
  readonly enabled?: boolean;
  /** The `tracing` config section (sampling, export, budgets); wins over the config's (file, OTEL_* env, defaults). */
  readonly tracing?: TracingOptionsInput;
  /** Extra resource attributes, over the config's (OTEL_RESOURCE_ATTRIBUTES). */
  readonly resourceAttributes?: Attributes;
  /**
   * Extra processors that receive what the tail sampler keeps (tests pass an in-memory one).
   * Given without an explicit `tracing.export.exporter` (options, file or OTEL_TRACES_EXPORTER), they
   * replace the network exporter (`exporter: 'none'`), as they did before export existed.
   */
  readonly spanProcessors?: readonly SpanProcessor[];
  /**
   * Your own exporter, used instead of the one `tracing.export.exporter` names. It still gets
   * redaction and the bounded, counted batch processor.
   */
  readonly exporter?: SpanExporter;
  /** Where budget violations and export drops are reported; the kernel logger in a service. */
  readonly logger?: WarnLogger;
  /** Applied to every span before any exporter sees it; defaults to the kernel's default redactor. */
  readonly redactor?: Redactor;
}

/** Stitch's pieces, for a tracer provider of its own (standalone) or the user's NodeSDK. */
export interface StitchPipeline {
  readonly sampler: Sampler;
  /** strict tenants → context attributes → budgets → observers → tail keep → (redaction → exporter) batched */
  readonly spanProcessors: SpanProcessor[];
  readonly propagator: TextMapPropagator;
  readonly resource: Resource;
  readonly idGenerator: IdGenerator;
  samplingStats(): SamplingStats;
  exportStats(): ExportStats;
  budgetStats(): BudgetStats;
  /** Adds a processor that sees every recorded span of this pipeline, sampled or not (metrics); returns its removal. */
  observeSpans(observer: SpanProcessor): () => void;
}

/**
 * The tracing options in force: the code's over the loaded config's (file, then env, then
 * defaults). Processors given without an exporter named anywhere (the code, the file,
 * OTEL_TRACES_EXPORTER) replace the network exporter (`exporter: 'none'`), as they did before
 * export existed; a config the caller loaded and passed names its exporter, default included.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` on bad options.
 */
export function resolveTracingOptions(options: StitchPipelineOptions, config: StitchConfig, configGiven: boolean): TracingOptions {
  const explicit: TracingOptionsInput = {
    ...options.tracing,
    ...(options.enabled !== undefined && { enabled: options.enabled }),
  };
  if (
    options.spanProcessors !== undefined &&
    options.exporter === undefined &&
    options.tracing?.export?.exporter === undefined &&
    !configGiven &&
    !isSetByUser(config, 'tracing.export.exporter')
  ) {
    explicit.export = { ...explicit.export, exporter: 'none' };
  }
  return parseTracingOptions(explicit, config.tracing);
}

/**
 * Builds Stitch's sampler, processors, propagator, resource and id generator from validated
 * options. Registers nothing: `startStitch` puts them in a provider of its own, `stitchSdkOptions`
 * hands them to the user's NodeSDK.
 *
 * @example
 *   const pipeline = buildStitchPipeline({ serviceName: 'billing' }, tracing, loadConfig());
 *   new BasicTracerProvider({ sampler: pipeline.sampler, spanProcessors: pipeline.spanProcessors });
 */
export function buildStitchPipeline(options: StitchPipelineOptions, tracing: TracingOptions, config: StitchConfig): StitchPipeline {
  const logger = kernelWarnings(options.logger, options.serviceName ?? config.service.name);
  const exporter = options.exporter ?? createSpanExporter(tracing.export);
  const batch =
    exporter === undefined
      ? undefined
      : new BoundedBatchSpanProcessor(redacting(exporter, options.redactor), {
          ...tracing.export,
          warn: (fields, message) => logger.warn(fields, message),
        });
  const downstream = [...(batch === undefined ? [] : [batch]), ...(options.spanProcessors ?? [])];
  const exportChain = new FanOutProcessor(downstream);
  const tail = tracing.sampling.tail.enabled ? new TailSamplingProcessor(exportChain, tracing.sampling.tail) : undefined;
  // This pipeline's own observers (metrics), asked by its head sampler (span-observers.ts).
  const observers = new SpanObservers();
  const sampler = createHeadSampler(tracing.sampling, observers);
  const budgets = tracing.budgets.enabled ? new BudgetProcessor(tracing.budgets, logger) : undefined;
  // Tenant first, so budgets, the tail sampler and exporters all see it on every span.
  // The tenant check first: a span that mixes tenants never reaches the others.
  const spanProcessors: SpanProcessor[] = [
    new StrictTenantsProcessor(),
    new ContextAttributesProcessor(),
    // Before budgets: a pg instrumentation query span must be marked as a query at its start.
    new DriverQuerySpanProcessor(),
    // Likewise an instrumentation-http/undici client span as an external call (one span per call).
    new InstrumentedClientSpanProcessor(),
    ...(budgets === undefined ? [] : [budgets]),
    observers.processor,
    // A root recorded for the observers alone (head-unsampled, no tail sampler to judge it) is never exported.
    sampler.recordsUnsampled ? (tail ?? exportChain) : new SampledOnlyProcessor(tail ?? exportChain),
  ];
  return {
    sampler,
    spanProcessors,
    propagator: stitchPropagator,
    resource: buildResource(options, config),
    idGenerator: { generateTraceId: newTraceId, generateSpanId: newSpanId },
    samplingStats: () => tail?.stats() ?? emptySamplingStats(),
    exportStats: () => batch?.stats() ?? emptyExportStats(),
    budgetStats: () => budgets?.stats() ?? emptyBudgetStats(),
    observeSpans: (observer) => observers.add(observer),
  };
}

function redacting(exporter: SpanExporter, redactor: Redactor | undefined): SpanExporter {
  // Redaction runs inside export, on the batch timer, not on the request's path.
  return new RedactingSpanExporter(exporter, redactor ?? defaultRedactor());
}

/**
 * `service.name` from the options, else the config's (OTEL_SERVICE_NAME, then `service.name` in
 * OTEL_RESOURCE_ATTRIBUTES, as the loader resolved it), with the config's resource attributes
 * under the options', over the SDK's default resource. No detector reads the env again here.
 */
export function buildResource(options: StitchPipelineOptions, config: StitchConfig): Resource {
  const serviceName = options.serviceName ?? config.service.name;
  return defaultResource().merge(resourceFromAttributes({ ...config.service.resourceAttributes, ...options.resourceAttributes, 'service.name': serviceName }));
}

/**
 * Where the kernel's own warnings go (budget violations, export drops, unknown variables): the
 * caller's logger, else the kernel's, made on the first warning; never a strict-mode violation.
 */
export function kernelWarnings(logger: WarnLogger | undefined, service: string): WarnLogger {
  return kernelDiagnostics(logger ?? lazyKernelLogger(service));
}

// An export drop is reported from the batch timer, outside any context, on purpose: the kernel's
// own warnings are never strict mode's violations (setup/config/strict-mode.ts).
function kernelDiagnostics(logger: WarnLogger): WarnLogger {
  return { warn: (fields, message) => withoutStrictMode(() => logger.warn(fields, message)) };
}

// The kernel's own logger (component `stitch`), made on the first warning: a service that never
// violates a budget or drops a span never builds it.
function lazyKernelLogger(service: string): WarnLogger {
  let logger: WarnLogger | undefined;
  return {
    warn(fields, message) {
      logger ??= createLogger({ service, component: 'stitch' });
      logger.warn(fields, message);
    },
  };
}

export function emptyExportStats(): ExportStats {
  return { exported: 0, queued: 0, droppedQueueFull: 0, droppedExportFailed: 0, droppedShutdown: 0, droppedRejected: 0, failedExports: 0 };
}

export function emptyBudgetStats(): BudgetStats {
  return { violations: 0, byComponent: { route: 0, query: 0, external: 0, job: 0 } };
}
