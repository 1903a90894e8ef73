import { hostname } from 'node:os';
import { pino } from 'pino';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import { LogField } from '@stitch/contract';
import { defaultRedactor } from '../redaction/redactor.js';
import type { Redactor } from '../redaction/redactor.js';
import { COMPONENT, componentField, createMergeStrategy, timeAndContext } from './context-fields.js';
import { LOG_LEVELS } from './log-options.js';
import type { LogLevel } from './log-options.js';
import { countFailedCall } from './log-stats.js';
import { reclaimFromPinoInstrumentation } from './pino-instrumentation.js';
import { hasCurrentContext } from '../../core/context/context-store.js';
import { isStrictMode, strictModeApplies, strictViolation } from '../../setup/config/strict-mode.js';
import { z } from 'zod';
import { parseOptions } from '../../core/options/parse-options.js';

/** The logger's data options (the rest of CreateLoggerOptions are streams and a redactor). */
const LoggerSettingsSchema = z.object({
  service: z.string(),
  component: z.string().min(1).default('app'),
  nodeId: z.string().min(1).optional(),
  level: z.enum(LOG_LEVELS).default('info'),
});

export interface CreateLoggerOptions {
  /** `service` on every line (the OpenTelemetry service name). */
  readonly service: string;
  /** `component` of the root logger; children name their own (`logger.child({ component: 'db' })`). Default `app`. */
  readonly component?: string;
  /** `node_id` on every line. Default: the host name. */
  readonly nodeId?: string;
  readonly level?: LogLevel;
  /** Where lines go. Default: stdout, synchronously (pino's default). */
  readonly destination?: DestinationStream;
  /** A second destination that also receives every line, e.g. `createOtlpLogStream()`. */
  readonly otlp?: DestinationStream;
  /** Default: the default redaction keys and patterns (see docs/configuration.md, `redaction`). */
  readonly redactor?: Redactor;
}

/**
 * A pino logger whose every line carries the mandatory fields of the context in force —
 * `time` (epoch ms), `level` (its name: `info`, `warn`…), `service`, `component`, `node_id`,
 * `trace_id`, `span_id`, `request_id`, `tenant_id`, `route_id`, `actor_id` — with `err`
 * written as `{ type, message, stack }`, and everything redacted (keys and value patterns)
 * before it is written. A line outside any context is still written, with
 * `context_missing: true`, and counted in `logStats()`. A log call never throws, except in
 * strict mode (`setup/config/strict-mode.ts`), where a line outside any context throws
 * `STITCH_ERR_STRICT_LOG_OUTSIDE_CONTEXT`.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option (parseOptions).
 * @example
 *   const logger = createLogger({ service: 'billing' });
 *   const db = logger.child({ component: 'db' });
 *   db.info({ rows: 3 }, 'invoices loaded');
 *   // {"level":"info","time":…,"service":"billing","node_id":"…","component":"db","trace_id":"…",…,"msg":"invoices loaded"}
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const { destination: _destination, otlp: _otlp, redactor: _redactor, ...section } = options;
  const settings = parseOptions(LoggerSettingsSchema, section, 'logger');
  const redactor = options.redactor ?? defaultRedactor();
  const redactMessage = (message: unknown): unknown => (typeof message === 'string' ? redactor.redactString(message) : redactor.redact(message));
  const config: LoggerOptions = {
    level: settings.level,
    base: { [LogField.service]: settings.service, [LogField.nodeId]: settings.nodeId ?? hostname() },
    // The time and the context's fields, in one partial JSON string (see timeAndContext).
    timestamp: timeAndContext,
    mixin: componentField,
    mixinMergeStrategy: createMergeStrategy(redactor),
    formatters: {
      // Level names, not numbers: the collector and people read them without pino's table.
      level: (label) => ({ [LogField.level]: label }),
      bindings: (bindings) => redactor.redact(bindings),
    },
    // The redactor already turned errors into { type, message, stack }; pino's own serializer
    // would relabel that plain object as type "Object".
    serializers: { [LogField.err]: (value: unknown) => value, msg: redactMessage },
    hooks: {
      logMethod(args, method) {
        // Outside the try: in strict mode the line's missing context is the caller's bug to see,
        // not a failed call to swallow. Off (production), a line pays one variable read: the
        // context is asked only in strict mode (bench/log-line.bench.ts).
        if (isStrictMode() && !hasCurrentContext() && strictModeApplies()) throw strictViolation('STITCH_ERR_STRICT_LOG_OUTSIDE_CONTEXT');
        try {
          method.apply(this, args);
        } catch (error) {
          countFailedCall();
          try {
            method.call(this, { log_error: error instanceof Error ? error.name : typeof error } as unknown as string, 'a log call failed inside the logger and was dropped');
          } catch {
            // Nothing more can be done without risking the caller's code path.
          }
        }
      },
    },
  };
  const destination =
    options.otlp === undefined
      ? options.destination
      : pino.multistream([
          { level: 'trace', stream: options.destination ?? pino.destination(1) },
          { level: 'trace', stream: options.otlp },
        ]);
  const root = destination === undefined ? pino(config) : pino(config, destination);
  reclaimFromPinoInstrumentation(root, componentField, options.otlp === undefined ? undefined : destination);
  return withComponents(root, settings.component, redactor);
}

/**
 * pino appends child bindings to the parent's, so a `component` binding would appear twice
 * in a line (`"component":"app",…,"component":"db"`). Instead each logger keeps its component
 * under a symbol that the mixin reads; children are made with `Object.create(parent)` and
 * inherit this `child` override. The override also redacts the bindings: pino applies
 * `formatters.bindings` to the root's only, never to a child's.
 */
function withComponents(root: Logger, component: string, redactor: Redactor): Logger {
  const target = root as Logger & { [COMPONENT]?: string };
  target[COMPONENT] = component;
  const pinoChild = root.child;
  const child = function child(this: Logger, bindings: Record<string, unknown>, childOptions?: object): Logger {
    const { component: childComponent, ...rest } = bindings;
    const made = pinoChild.call(this, redactor.redact(rest), childOptions) as unknown as Logger & { [COMPONENT]?: string };
    if (childComponent !== undefined) made[COMPONENT] = String(childComponent);
    return made;
  };
  target.child = child as unknown as Logger['child'];
  return root;
}
