import { diag } from '@opentelemetry/api';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

type Mixin = (mergeObject: object, level: number, logger: unknown) => object;

interface PinoInternals {
  [pino.symbols.mixinSym]?: Mixin;
  [pino.symbols.streamSym]?: DestinationStream;
}

/**
 * One line per event beside `@opentelemetry/instrumentation-pino` (issue 13), which wraps every
 * logger that `pino()` makes while it is enabled (in getNodeAutoInstrumentations(), and loaded
 * through OpenTelemetry's ESM hook or `require`; checked on 0.69):
 *
 * - log correlation: its mixin adds `trace_id`, `span_id` and `trace_flags` from the active
 *   span. Stitch's lines carry `trace_id` and `span_id` already (context-fields.ts, written in
 *   the time fragment), so the line had each key twice. The logger gets Stitch's mixin back.
 * - log sending: it tees the logger's stream into the SDK's LoggerProvider, which NodeSDK
 *   builds by default (OTEL_LOGS_EXPORTER unset means OTLP). When Stitch exports the lines
 *   itself (`logs.otlp`, createOtlpLogStream), each record left the process twice; then the
 *   logger gets Stitch's stream back. When Stitch does not export them, the SDK's log sending
 *   stays: it is then the one export, of lines Stitch already redacted.
 *
 * @example
 *   const root = pino(config, destination);
 *   reclaimFromPinoInstrumentation(root, componentField, otlp === undefined ? undefined : destination);
 */
export function reclaimFromPinoInstrumentation(logger: Logger, mixin: Mixin, exportingStream: DestinationStream | undefined): void {
  const internals = logger as unknown as PinoInternals;
  let reclaimed = false;
  if (internals[pino.symbols.mixinSym] !== mixin) {
    internals[pino.symbols.mixinSym] = mixin;
    reclaimed = true;
  }
  if (exportingStream !== undefined && internals[pino.symbols.streamSym] !== exportingStream) {
    internals[pino.symbols.streamSym] = exportingStream;
    reclaimed = true;
  }
  if (reclaimed) diag.debug('stitch logs: instrumentation-pino wrapped the Stitch logger; its trace fields and, while Stitch exports the lines, its log sending are left out');
}
