import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { AnyValueMap, LogAttributes } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { LogField } from '@stitch/contract';
import { KERNEL_TRACER_NAME, KERNEL_VERSION } from '../../core/tracing/kernel-tracer.js';
import { createCheckedOtlpLogExporter } from '../export/checked-otlp-exporter.js';
import { rejectedCount } from '../export/rejected-count.js';
import { OtlpLogOptionsSchema } from './log-options.js';
import type { OtlpLogOptions } from './log-options.js';
import { raceDeadline } from '../../core/internal/race-deadline.js';
import { parseOptions } from '../../core/options/parse-options.js';

// pino level names (and numbers, for lines from a logger configured otherwise) to OTLP severity
// (logs data model, "Mapping of SeverityNumber": the first number of each range).
const SEVERITY_BY_LABEL: Readonly<Record<string, SeverityNumber>> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL,
};
const LABEL_BY_NUMBER: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

// Fields that become the record's own parts rather than attributes.
const RECORD_FIELDS: ReadonlySet<string> = new Set([LogField.time, LogField.level, 'msg', LogField.traceId, LogField.spanId, LogField.err]);

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

export interface OtlpLogStreamOptions extends Partial<Omit<OtlpLogOptions, 'exporter'>> {
  /** `service.name` of the resource the records are sent under. */
  readonly serviceName: string;
  readonly resourceAttributes?: Readonly<Record<string, string>>;
  /** Replaces the OTLP/HTTP exporter built from `endpoint`/`protocol` (tests, custom backends). */
  readonly exporter?: LogRecordExporter;
}

export interface OtlpLogStats {
  /** Records handed to the exporter and acknowledged. */
  readonly exported: number;
  /** Records dropped because the queue was full (a slow or dead backend). */
  readonly droppedQueueFull: number;
  /** Records in batches the backend refused or never answered. */
  readonly failed: number;
  /** Lines that were not pino JSON (should stay 0). */
  readonly malformed: number;
  /** Records still queued or in flight when `shutdown(timeoutMillis)` gave up. */
  readonly droppedShutdown: number;
  /** Records the backend refused in a partial success (OTLP `partial_success.rejected_log_records`). */
  readonly rejected: number;
}

/** A pino destination (`createLogger({ otlp })`) that also sends each line as an OTLP log record. */
export interface OtlpLogStream {
  write(line: string): void;
  stats(): OtlpLogStats;
  forceFlush(): Promise<void>;
  /**
   * Flushes what is queued and stops; never rejects. With `timeoutMillis` it resolves by then
   * whatever the backend does, counting what was left in `droppedShutdown`.
   */
  shutdown(timeoutMillis?: number): Promise<void>;
}

/**
 * Sends log lines over OTLP/HTTP so the collector shows them beside their spans: `body` is
 * `msg`, severity comes from `level`, the record carries the line's `trace_id`/`span_id` as its
 * trace context, and every other field (`tenant_id`, `component`, …) is an attribute; `err`
 * becomes `exception.type`/`exception.message`/`exception.stacktrace`. Lines arrive already
 * redacted by the logger. Batching is bounded: when the backend is slow or down, records past
 * `maxQueueSize` are dropped and counted, never buffered without limit or retried into the
 * host's memory.
 *
 * Why not `@opentelemetry/instrumentation-pino` or `pino-opentelemetry-transport`: the first
 * patches pino through module-load hooks (awkward under ESM) and emits before our redaction
 * runs; the second runs in a worker thread with its own copy of the SDK. The ids are already
 * on the line, so a plain in-process stream is enough.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option (parseOptions), never a raw ZodError.
 * @example
 *   const otlp = createOtlpLogStream({ serviceName: 'billing', endpoint: 'http://127.0.0.1:4318/v1/logs' });
 *   const logger = createLogger({ service: 'billing', otlp });
 *   process.on('SIGTERM', () => void otlp.shutdown());
 */
export function createOtlpLogStream(options: OtlpLogStreamOptions): OtlpLogStream {
  // The stream's own handles are not options of the `logs.otlp` section.
  const { serviceName: _serviceName, resourceAttributes: _resourceAttributes, exporter: _exporter, ...section } = options;
  const config = parseOptions(OtlpLogOptionsSchema, { ...section, exporter: 'otlp' }, 'logs.otlp');
  const counters = { exported: 0, droppedQueueFull: 0, failed: 0, malformed: 0, droppedShutdown: 0, rejected: 0 };
  // Records accepted but not yet handed to the exporter. BatchLogRecordProcessor drops past
  // maxQueueSize without a readable count, so the bound is kept (and counted) here instead.
  let queued = 0;
  // Records handed to the exporter and not yet answered; set aside once shutdown gives up, so a
  // late answer is not counted a second time.
  let inFlight = 0;
  let abandoned = false;
  const inner =
    options.exporter ??
    // A 2xx whose body is not an OTLP response counts as failed, as for spans.
    createCheckedOtlpLogExporter({ protocol: config.protocol, endpoint: config.endpoint, headers: config.headers, timeoutMillis: config.exportTimeoutMillis });
  const counting: LogRecordExporter = {
    export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
      queued -= records.length;
      inFlight += records.length;
      inner.export(records, (result) => {
        if (!abandoned) {
          inFlight -= records.length;
          if (result.code === ExportResultCode.SUCCESS) {
            const rejected = rejectedCount(result, records.length);
            counters.exported += records.length - rejected;
            counters.rejected += rejected;
          } else counters.failed += records.length;
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ ...options.resourceAttributes, 'service.name': options.serviceName }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: counting,
        maxQueueSize: config.maxQueueSize,
        maxExportBatchSize: Math.min(config.maxExportBatchSize, config.maxQueueSize),
        scheduledDelayMillis: config.scheduledDelayMillis,
        exportTimeoutMillis: config.exportTimeoutMillis,
      }),
    ],
  });
  const logger = provider.getLogger(KERNEL_TRACER_NAME, KERNEL_VERSION);
  let stopped = false;
  let shutdownPromise: Promise<void> | undefined;

  // The provider's own shutdown waits for each batch's export (exportTimeoutMillis, plus the
  // exporter's retries): 17–45 s against a dead or hanging endpoint, past a pod's grace period
  // (issue 15). Raced against the caller's deadline, like the span batch processor.
  async function stop(timeoutMillis: number | undefined): Promise<void> {
    stopped = true;
    const done = provider.shutdown().catch(() => undefined);
    if (timeoutMillis === undefined) return done;
    if ((await raceDeadline(done, timeoutMillis)) === 'timeout') {
      abandoned = true;
      counters.droppedShutdown += queued + inFlight;
      queued = 0;
      inFlight = 0;
    }
  }

  return {
    write(line: string): void {
      if (stopped) return;
      let fields: Record<string, unknown>;
      try {
        fields = JSON.parse(line) as Record<string, unknown>;
      } catch {
        counters.malformed += 1;
        return;
      }
      if (typeof fields !== 'object' || fields === null) {
        counters.malformed += 1;
        return;
      }
      if (queued >= config.maxQueueSize) {
        counters.droppedQueueFull += 1;
        return;
      }
      queued += 1;
      try {
        logger.emit(toLogRecord(fields));
      } catch {
        queued -= 1;
        counters.malformed += 1;
      }
    },
    stats: () => ({ ...counters }),
    forceFlush: () => provider.forceFlush().catch(() => undefined),
    shutdown(timeoutMillis?: number): Promise<void> {
      shutdownPromise ??= stop(timeoutMillis);
      return shutdownPromise;
    },
  };
}

function toLogRecord(fields: Record<string, unknown>) {
  const level = fields[LogField.level];
  const label = typeof level === 'number' ? LABEL_BY_NUMBER[level] : typeof level === 'string' ? level : undefined;
  const attributes: LogAttributes = {};
  for (const key of Object.keys(fields)) {
    if (!RECORD_FIELDS.has(key)) attributes[key] = fields[key] as AnyValueMap[string];
  }
  const err = fields[LogField.err];
  if (typeof err === 'object' && err !== null) {
    const { type, message, stack } = err as Record<string, unknown>;
    if (typeof type === 'string') attributes['exception.type'] = type;
    if (typeof message === 'string') attributes['exception.message'] = message;
    if (typeof stack === 'string') attributes['exception.stacktrace'] = stack;
  }
  const traceId = fields[LogField.traceId];
  const spanId = fields[LogField.spanId];
  const context =
    typeof traceId === 'string' && typeof spanId === 'string' && TRACE_ID.test(traceId) && SPAN_ID.test(spanId)
      ? trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.NONE, isRemote: true })
      : ROOT_CONTEXT;
  const msg = fields.msg;
  const time = fields[LogField.time];
  return {
    timestamp: typeof time === 'number' ? time : Date.now(),
    severityNumber: (label !== undefined ? SEVERITY_BY_LABEL[label] : undefined) ?? SeverityNumber.UNSPECIFIED,
    ...(label !== undefined && { severityText: label }),
    body: typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg),
    attributes,
    context,
  };
}
