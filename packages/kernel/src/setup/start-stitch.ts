import { context, propagation, trace } from '@opentelemetry/api';
import type { Attributes, Context, TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { defaultResource, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BudgetProcessor } from '../pipeline/budgets/budget-processor.js';
import type { BudgetStats, WarnLogger } from '../pipeline/budgets/budget-processor.js';
import { newSpanId, newTraceId } from '../core/context/ids.js';
import { StitchError } from '../core/errors/stitch-error.js';
import { contextManagerRegistered, findRegisteredGlobals } from './otel/registered-globals.js';
import { withoutStrictMode } from './config/strict-mode.js';
import { createLogger } from '../pipeline/logs/create-logger.js';
import { BoundedBatchSpanProcessor } from '../pipeline/export/bounded-batch-processor.js';
import type { ExportStats } from '../pipeline/export/bounded-batch-processor.js';
import { createSpanExporter } from '../pipeline/export/create-span-exporter.js';
import { stitchPropagator } from '../core/propagation/index.js';
import { RedactingSpanExporter } from '../pipeline/redaction/redacting-span-exporter.js';
import { defaultRedactor } from '../pipeline/redaction/redactor.js';
import type { Redactor } from '../pipeline/redaction/redactor.js';
import { observingProcessor } from '../pipeline/metrics/span-observers.js';
import { createHeadSampler } from '../pipeline/sampling/stitch-sampler.js';
import { emptySamplingStats, TailSamplingProcessor } from '../pipeline/sampling/tail-sampling-processor.js';
import type { SamplingStats } from '../pipeline/sampling/tail-sampling-processor.js';
import { ContextAttributesProcessor } from '../core/tracing/context-attributes-processor.js';
import { StrictTenantsProcessor } from '../core/tracing/strict-tenants-processor.js';
import { readTracingEnv } from '../core/tracing/tracing-env.js';
import { parseTracingOptions } from '../core/tracing/tracing-options.js';
import type { TracingOptions, TracingOptionsInput } from '../core/tracing/tracing-options.js';

export interface StartStitchOptions {
  /** `service.name`; defaults to OTEL_SERVICE_NAME, then `service.name` in OTEL_RESOURCE_ATTRIBUTES, then `unknown_service:node`. */
  readonly serviceName?: string;
  /** Shorthand for `tracing.enabled`. `false` makes the kernel a no-op path: contexts and log fields still work, nothing is recorded. */
  readonly enabled?: boolean;
  /** The `tracing` config section (sampling, export, budgets); wins over OTEL_* env, which wins over defaults. */
  readonly tracing?: TracingOptionsInput;
  /** Extra resource attributes, over OTEL_RESOURCE_ATTRIBUTES. */
  readonly resourceAttributes?: Attributes;
  /**
   * Extra processors that receive what the tail sampler keeps (tests pass an in-memory one).
   * Given without an explicit `tracing.export.exporter` (config or OTEL_TRACES_EXPORTER), they
   * replace the network exporter (`exporter: 'none'`), as they did before export existed.
   */
  readonly spanProcessors?: readonly SpanProcessor[];
  /**
   * Your own exporter, used instead of the one `tracing.export.exporter` names. It still gets
   * redaction and the bounded, counted batch processor.
   */
  readonly exporter?: SpanExporter;
  readonly propagator?: TextMapPropagator;
  /** Where budget violations and export drops are reported; the kernel logger in a service. */
  readonly logger?: WarnLogger;
  /** Applied to every span before any exporter sees it; defaults to the kernel's default redactor. */
  readonly redactor?: Redactor;
  /** Environment to read OTEL_* from; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface StitchHandle {
  readonly enabled: boolean;
  readonly provider: BasicTracerProvider | undefined;
  /** The validated, frozen tracing options in force. */
  readonly options: TracingOptions;
  samplingStats(): SamplingStats;
  exportStats(): ExportStats;
  budgetStats(): BudgetStats;
  /** Flushes within `export.shutdownTimeoutMillis` and stops export; never rejects. */
  shutdown(): Promise<void>;
}

let contextManager: AsyncLocalStorageContextManager | undefined;
let active: StitchHandle | undefined;

/**
 * Builds the kernel's pipeline from the (validated) config and registers it as OpenTelemetry's
 * globals, so any OpenTelemetry instrumentation joins the same traces:
 *
 *   head sampler → [budgets → tail sampler → (redaction → exporter) in a bounded batch processor]
 *
 * The context manager is registered always (contexts must work even when disabled); the tracer
 * provider and propagator only when enabled. Disabled, nothing else is built: spans are
 * OpenTelemetry's no-op ones.
 *
 * This is the standalone mode. A service that runs its own `NodeSDK` hands Stitch's pieces to
 * it instead (`stitchSdkOptions()` from `@stitch/kernel/otel`).
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` on bad options or OTEL_* values.
 * @throws StitchError `STITCH_ERR_SETUP_OTEL_ALREADY_REGISTERED` when enabled and another setup
 *   registered a tracer provider, propagator or context manager first; nothing is registered then.
 * @example
 *   const stitch = startStitch({ serviceName: 'billing', tracing: { sampling: { ratio: 0.1 } } });
 *   process.on('SIGTERM', () => void stitch.shutdown());
 */
export function startStitch(options: StartStitchOptions = {}): StitchHandle {
  const env = options.env ?? process.env;
  const fromEnv = readTracingEnv(env);
  const explicit: TracingOptionsInput = {
    ...options.tracing,
    ...(options.enabled !== undefined && { enabled: options.enabled }),
  };
  if (
    options.spanProcessors !== undefined &&
    options.exporter === undefined &&
    options.tracing?.export?.exporter === undefined &&
    fromEnv.export?.exporter === undefined
  ) {
    explicit.export = { ...explicit.export, exporter: 'none' };
  }
  const tracing = parseTracingOptions(explicit, fromEnv);
  if (!tracing.enabled) {
    // Disabled, Stitch records nothing, so another setup's provider takes nothing from it; its
    // contexts need only some context manager, the other setup's as well as ours.
    if (contextManager === undefined && !contextManagerRegistered()) registerContextManager();
    const handle = disabledHandle(tracing);
    active = handle;
    return handle;
  }

  refuseRegisteredGlobals();
  if (contextManager === undefined) registerContextManager();

  const logger = kernelDiagnostics(options.logger ?? lazyKernelLogger(options.serviceName ?? nonEmpty(env.OTEL_SERVICE_NAME) ?? 'unknown_service:node'));
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
  const tail = tracing.sampling.tail.enabled
    ? new TailSamplingProcessor(exportChain, tracing.sampling.tail)
    : undefined;
  const budgets = tracing.budgets.enabled ? new BudgetProcessor(tracing.budgets, logger) : undefined;
  // Tenant first, so budgets, the tail sampler and exporters all see it on every span.
  // The tenant check first: a span that mixes tenants never reaches the others.
  const processors: SpanProcessor[] = [new StrictTenantsProcessor(), new ContextAttributesProcessor(), ...(budgets === undefined ? [] : [budgets]), observingProcessor, tail ?? exportChain];

  const provider = new BasicTracerProvider({
    resource: buildResource(options, env),
    sampler: createHeadSampler(tracing.sampling),
    idGenerator: { generateTraceId: newTraceId, generateSpanId: newSpanId },
    spanProcessors: processors,
  });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(options.propagator ?? stitchPropagator);
  let stopped: Promise<void> | undefined;
  const handle: StitchHandle = {
    enabled: true,
    provider,
    options: tracing,
    samplingStats: () => tail?.stats() ?? emptySamplingStats(),
    exportStats: () => batch?.stats() ?? emptyExportStats(),
    budgetStats: () => budgets?.stats() ?? emptyBudgetStats(),
    shutdown() {
      stopped ??= provider
        .shutdown()
        .catch(() => undefined)
        .finally(() => {
          trace.disable();
          propagation.disable();
          if (active === handle) active = undefined;
        });
      return stopped;
    },
  };
  active = handle;
  return handle;
}

function registerContextManager(): void {
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
}

// The API refuses a second registration and says so only through `diag`: without this check a
// service that started a NodeSDK first would run on it, with none of Stitch's pipeline.
function refuseRegisteredGlobals(): void {
  const found = findRegisteredGlobals(contextManager !== undefined);
  if (found.length === 0) return;
  const earlier = active?.enabled === true ? ' (an earlier startStitch() that was not shut down)' : '';
  throw new StitchError('STITCH_ERR_SETUP_OTEL_ALREADY_REGISTERED', { detail: `${found.join(', ')}${earlier}` });
}

/** Counters of the tail sampler of the running kernel (zeros when disabled or not started). */
export function samplingStats(): SamplingStats {
  return active?.samplingStats() ?? emptySamplingStats();
}

/** Counters of the export path of the running kernel: exported, queued, and every drop by cause. */
export function exportStats(): ExportStats {
  return active?.exportStats() ?? emptyExportStats();
}

/** Budget violations counted by the running kernel. */
export function budgetStats(): BudgetStats {
  return active?.budgetStats() ?? emptyBudgetStats();
}

function redacting(exporter: SpanExporter, redactor: Redactor | undefined): SpanExporter {
  // Redaction runs inside export, on the batch timer, not on the request's path.
  return new RedactingSpanExporter(exporter, redactor ?? defaultRedactor());
}

function buildResource(options: StartStitchOptions, env: Readonly<Record<string, string | undefined>>) {
  const fromEnv = envDetector.detect().attributes ?? {};
  const serviceName =
    options.serviceName ?? nonEmpty(env.OTEL_SERVICE_NAME) ?? (fromEnv['service.name'] as string | undefined) ?? 'unknown_service:node';
  return defaultResource().merge(
    resourceFromAttributes({ ...fromEnv, ...options.resourceAttributes, 'service.name': serviceName }),
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function disabledHandle(tracing: TracingOptions): StitchHandle {
  return {
    enabled: false,
    provider: undefined,
    options: tracing,
    samplingStats: emptySamplingStats,
    exportStats: emptyExportStats,
    budgetStats: emptyBudgetStats,
    shutdown: () => Promise.resolve(),
  };
}

/** Hands every span to each processor; one that throws never stops the others. */
class FanOutProcessor implements SpanProcessor {
  constructor(private readonly processors: readonly SpanProcessor[]) {}

  onStart(span: Span, parentContext: Context): void {
    for (const p of this.processors) p.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    for (const p of this.processors) {
      try {
        p.onEnd(span);
      } catch {
        // Telemetry never breaks the host.
      }
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush().catch(() => undefined)));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown().catch(() => undefined)));
  }
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

function emptyExportStats(): ExportStats {
  return { exported: 0, queued: 0, droppedQueueFull: 0, droppedExportFailed: 0, droppedShutdown: 0, failedExports: 0 };
}

function emptyBudgetStats(): BudgetStats {
  return { violations: 0, byComponent: { route: 0, query: 0, external: 0, job: 0 } };
}
