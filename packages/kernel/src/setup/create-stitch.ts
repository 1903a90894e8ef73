import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import { loadConfig } from './config/load-config.js';
import type { LoadConfigOptions } from './config/load-config.js';
import type { StitchConfig } from './config/stitch-config.js';
import { setStrictMode } from './config/strict-mode.js';
import { installHttpOut } from '../hops/http-out/install-http-out.js';
import { logStats } from '../pipeline/logs/log-stats.js';
import { createLoggerFromConfig } from '../pipeline/logs/logger-from-config.js';
import type { OtlpLogStats } from '../pipeline/logs/otlp-log-stream.js';
import { raceDeadline } from '../core/internal/race-deadline.js';
import { startStitch } from './start-stitch.js';
import type { StitchHandle } from './start-stitch.js';

const NO_LOG_EXPORT: OtlpLogStats = Object.freeze({ exported: 0, droppedQueueFull: 0, failed: 0, malformed: 0, droppedShutdown: 0, rejected: 0 });

export interface CreateStitchOptions extends LoadConfigOptions {
  /** An already loaded config; by default it is loaded from `env` and `file`. */
  readonly config?: StitchConfig;
  /** Extra processors that receive every kept span (a test's in-memory exporter, a printer). */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Your own exporter instead of the one the config names; still redacted and batched. */
  readonly exporter?: SpanExporter;
}

/** A running kernel: what a service keeps from start-up to shutdown. */
export interface Stitch {
  readonly config: StitchConfig;
  /** The service's logger: every line carries the context's ids, redacted. */
  readonly logger: Logger;
  readonly tracing: StitchHandle;
  /** Every counter a dashboard or readiness check wants, in one object. */
  stats(): {
    readonly logs: ReturnType<typeof logStats>;
    /** OTLP log export (all zero when logs are not exported): exported, failed and dropped records. */
    readonly logExport: OtlpLogStats;
    readonly sampling: ReturnType<StitchHandle['samplingStats']>;
    readonly export: ReturnType<StitchHandle['exportStats']>;
    readonly budgets: ReturnType<StitchHandle['budgetStats']>;
  };
  /** Exports what is queued now (spans the tail sampler has decided on, and log records); never rejects. */
  flush(): Promise<void>;
  /**
   * Uninstalls HTTP-out, flushes spans and logs side by side, and resolves within
   * `tracing.export.shutdownTimeoutMillis` whatever the backends do; never rejects.
   */
  shutdown(): Promise<void>;
}

/**
 * The one call a service makes at start-up: loads and validates the config (env, then the YAML
 * file in STITCH_CONFIG), builds the logger (with OTLP log export when configured), starts
 * tracing (sampling, budgets, redaction, export) and instruments outgoing HTTP. The edge,
 * db, outbox and job wrappers then pick everything up from OpenTelemetry's globals.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming the bad key, its value and what is allowed.
 * @example
 *   const stitch = createStitch();            // OTEL_SERVICE_NAME=billing OTEL_TRACES_SAMPLER_ARG=0.1 …
 *   stitch.logger.info('ready');
 *   process.once('SIGTERM', () => void stitch.shutdown());
 */
export function createStitch(options: CreateStitchOptions = {}): Stitch {
  const config = options.config ?? loadConfig(options);
  // The loader settled it (STITCH_STRICT, the file, else NODE_ENV); a hand-made config without
  // it leaves strict mode to its own first-use reading.
  setStrictMode(config.strict);
  const logging = createLoggerFromConfig(config);
  // The parsed config, not the env again: everything was read once, above.
  const tracing = startStitch({
    config,
    logger: logging.logger,
    redactor: logging.redactor,
    ...(options.spanProcessors !== undefined && { spanProcessors: options.spanProcessors }),
    ...(options.exporter !== undefined && { exporter: options.exporter }),
  });
  const uninstallHttpOut = config.enabled ? installHttpOut(config.httpOut) : () => {};
  let stopped: Promise<void> | undefined;
  return {
    config,
    logger: logging.logger,
    tracing,
    stats: () => ({
      logs: logStats(),
      logExport: logging.otlp?.stats() ?? NO_LOG_EXPORT,
      sampling: tracing.samplingStats(),
      export: tracing.exportStats(),
      budgets: tracing.budgetStats(),
    }),
    async flush() {
      await Promise.all([tracing.provider?.forceFlush().catch(() => undefined), logging.otlp?.forceFlush()]);
    },
    shutdown() {
      // One deadline for both: spans and logs flush side by side, each bounded by it, so a dead
      // or hanging log endpoint cannot hold a pod past its grace period (issue 15). The race on
      // tracing bounds span processors the caller added too, which keep their own timing.
      const timeoutMillis = config.tracing.export.shutdownTimeoutMillis;
      stopped ??= (async () => {
        uninstallHttpOut();
        // The log stream keeps the deadline itself, so it can count what it gave up on.
        await Promise.all([raceDeadline(tracing.shutdown(), timeoutMillis), logging.shutdown(timeoutMillis).catch(() => undefined)]);
      })();
      return stopped;
    },
  };
}
