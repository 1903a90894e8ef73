import { context, propagation, trace } from '@opentelemetry/api';
import type { TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { StitchError } from '../core/errors/stitch-error.js';
import { applySemconvOptIn } from '../core/tracing/semconv-opt-in.js';
import type { TracingOptions } from '../core/tracing/tracing-options.js';
import type { BudgetStats } from '../pipeline/budgets/budget-processor.js';
import type { ExportStats } from '../pipeline/export/bounded-batch-processor.js';
import { emptySamplingStats } from '../pipeline/sampling/tail-sampling-processor.js';
import type { SamplingStats } from '../pipeline/sampling/tail-sampling-processor.js';
import { loadConfig } from './config/load-config.js';
import { warnUnknownVariables } from './config/warn-unknown-variables.js';
import type { StitchConfig } from './config/stitch-config.js';
import { contextManagerRegistered, findRegisteredGlobals } from './otel/registered-globals.js';
import { buildStitchPipeline, emptyBudgetStats, emptyExportStats, kernelWarnings, resolveTracingOptions } from './otel/stitch-pipeline.js';
import type { StitchPipeline, StitchPipelineOptions } from './otel/stitch-pipeline.js';

export interface StartStitchOptions extends StitchPipelineOptions {
  /**
   * The parsed config (`loadConfig()`), the base every option below is laid over. Absent, it is
   * loaded from `env` (and the file in STITCH_CONFIG): the environment is read there, once.
   */
  readonly config?: StitchConfig;
  /** Registered as the global propagator; Stitch's (W3C trace context and baggage, with its trust rules) by default. */
  readonly propagator?: TextMapPropagator;
  /** Environment the config is loaded from when `config` is absent; `process.env` by default. */
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
  /**
   * Adds a processor that sees every span this kernel records, sampled or not, before the tail
   * sampler (`createMetrics` does); returns its removal. A no-op when disabled.
   */
  observeSpans(observer: SpanProcessor): () => void;
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
 * OpenTelemetry's semantic-convention opt-in (`semconv` in the config) is handed to the hops
 * here, once.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` on bad options, a bad config file or env value.
 * @throws StitchError `STITCH_ERR_SETUP_OTEL_ALREADY_REGISTERED` when enabled and another setup
 *   registered a tracer provider, propagator or context manager first; nothing is registered then.
 * @example
 *   const stitch = startStitch({ serviceName: 'billing', tracing: { sampling: { ratio: 0.1 } } });
 *   process.on('SIGTERM', () => void stitch.shutdown());
 */
export function startStitch(options: StartStitchOptions = {}): StitchHandle {
  const config = options.config ?? loadConfig(options.env === undefined ? {} : { env: options.env });
  const tracing = resolveTracingOptions(options, config, options.config !== undefined);
  applySemconvOptIn(config.semconv.stabilityOptIn);
  warnUnknownVariables(config, kernelWarnings(options.logger, options.serviceName ?? config.service.name));
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

  const pipeline = buildStitchPipeline(options, tracing, config);
  const provider = new BasicTracerProvider({
    resource: pipeline.resource,
    sampler: pipeline.sampler,
    idGenerator: pipeline.idGenerator,
    spanProcessors: pipeline.spanProcessors,
  });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(options.propagator ?? pipeline.propagator);
  let stopped: Promise<void> | undefined;
  const handle: StitchHandle = {
    enabled: true,
    provider,
    options: tracing,
    samplingStats: pipeline.samplingStats,
    exportStats: pipeline.exportStats,
    budgetStats: pipeline.budgetStats,
    observeSpans: pipeline.observeSpans,
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

/**
 * The integration mode's pipeline (`stitchSdkOptions`), running in the user's NodeSDK: the
 * module's counters read it, and a later `startStitch()` is refused as a second start.
 */
export function activateExternalPipeline(tracing: TracingOptions, pipeline: StitchPipeline | undefined): void {
  active =
    pipeline === undefined
      ? disabledHandle(tracing)
      : {
          enabled: true,
          provider: undefined,
          options: tracing,
          samplingStats: pipeline.samplingStats,
          exportStats: pipeline.exportStats,
          budgetStats: pipeline.budgetStats,
          observeSpans: pipeline.observeSpans,
          // The user's NodeSDK owns the provider and shuts the processors down with it.
          shutdown: () => Promise.resolve(),
        };
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

/**
 * Observes every span the running kernel records (its pipeline's observers; a no-op when none
 * runs): for `createMetrics` given a hand-made `{ stats }` rather than a Stitch.
 */
export function observeSpans(observer: SpanProcessor): () => void {
  return active?.observeSpans(observer) ?? (() => {});
}

/** Budget violations counted by the running kernel. */
export function budgetStats(): BudgetStats {
  return active?.budgetStats() ?? emptyBudgetStats();
}

function disabledHandle(tracing: TracingOptions): StitchHandle {
  return {
    enabled: false,
    provider: undefined,
    options: tracing,
    samplingStats: emptySamplingStats,
    exportStats: emptyExportStats,
    budgetStats: emptyBudgetStats,
    observeSpans: () => () => {},
    shutdown: () => Promise.resolve(),
  };
}
