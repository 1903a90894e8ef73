import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportOptions } from '../../core/tracing/tracing-options.js';

/**
 * The exporter `options` ask for, or `undefined` for `none`. Network exporters load lazily (the
 * first batch waits for the import) so `startStitch` stays synchronous and a service never
 * loads an exporter it does not use; all are wrapped by `guardExporter`.
 *
 * @example
 *   const exporter = createSpanExporter(parseTracingOptions({ export: { exporter: 'zipkin' } }).export);
 */
export function createSpanExporter(options: ExportOptions): SpanExporter | undefined {
  switch (options.exporter) {
    case 'none':
      return undefined;
    case 'console':
      return guardExporter(Promise.resolve(new ConsoleSpanExporter()));
    case 'zipkin':
      return guardExporter(import('./zipkin.js').then(({ createZipkinExporter }) => createZipkinExporter(options)));
    case 'otlp':
      return guardExporter(
        import('./otlp.js').then(({ createOtlpExporter }) =>
          createOtlpExporter({ ...options, timeoutMillis: options.exportTimeoutMillis }),
        ),
      );
  }
}

const FAILED: ExportResult = { code: ExportResultCode.FAILED, error: new Error('export refused: exporter busy or unavailable') };

/**
 * Wraps an exporter (or its pending import) so that it can never hurt the service: a load
 * failure, a synchronous throw or a rejected promise become a FAILED result; and with
 * `maxInFlight` exports already unanswered (a hanging backend), the next one fails at once
 * instead of opening one more socket and holding one more batch.
 */
export function guardExporter(load: Promise<SpanExporter>, maxInFlight = 2): SpanExporter {
  let exporter: SpanExporter | undefined;
  let broken = false;
  let inFlight = 0;
  const ready = load.then(
    (loaded) => {
      exporter = loaded;
      return loaded;
    },
    () => {
      broken = true;
      return undefined;
    },
  );
  const send = (target: SpanExporter, spans: ReadableSpan[], done: (result: ExportResult) => void): void => {
    inFlight += 1;
    let answered = false;
    const once = (result: ExportResult): void => {
      if (answered) return;
      answered = true;
      inFlight -= 1;
      done(result);
    };
    try {
      target.export(spans, once);
    } catch (error) {
      once({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
  return {
    export(spans, done) {
      if (broken || inFlight >= maxInFlight) return done(FAILED);
      if (exporter !== undefined) return send(exporter, spans, done);
      void ready.then((loaded) => (loaded === undefined ? done(FAILED) : send(loaded, spans, done)));
    },
    async shutdown() {
      const loaded = await ready;
      await loaded?.shutdown().catch(() => undefined);
    },
    async forceFlush() {
      const loaded = await ready;
      await loaded?.forceFlush?.().catch(() => undefined);
    },
  };
}
