import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  LogsExporterMetricsHelper,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { IExporterMetricsHelper, ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { CheckedExportResult } from './rejected-count.js';

export interface CheckedOtlpOptions {
  readonly protocol: 'http/protobuf' | 'http/json';
  /** Full URL; the SDK's default (`http://localhost:4318/v1/traces` or `/v1/logs`) otherwise. */
  readonly endpoint?: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
  readonly concurrencyLimit?: number;
}

/** An exporter of `Item`s, as both the span and the log-record SDK interfaces see it. */
export interface CheckedOtlpExporter<Item> {
  export(items: Item[], done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush(): Promise<void>;
}

interface Signal<Item> {
  readonly name: 'TRACES' | 'LOGS';
  readonly path: string;
  readonly componentType: string;
  readonly protobuf: ISerializer<Item[], unknown>;
  readonly json: ISerializer<Item[], unknown>;
  readonly metrics: IExporterMetricsHelper<Item[]>;
  /** The field of `partialSuccess` that counts what the backend refused. */
  readonly rejectedField: 'rejectedSpans' | 'rejectedLogRecords';
}

// The component types OpenTelemetry's own exporters report for their self-observability metrics.
const TRACES: Signal<ReadableSpan> = {
  name: 'TRACES',
  path: 'v1/traces',
  componentType: 'otlp_http_span_exporter',
  protobuf: ProtobufTraceSerializer,
  json: JsonTraceSerializer,
  metrics: TraceExporterMetricsHelper,
  rejectedField: 'rejectedSpans',
};
const LOGS: Signal<ReadableLogRecord> = {
  name: 'LOGS',
  path: 'v1/logs',
  componentType: 'otlp_http_log_exporter',
  protobuf: ProtobufLogsSerializer,
  json: JsonLogsSerializer,
  metrics: LogsExporterMetricsHelper,
  rejectedField: 'rejectedLogRecords',
};

/** The OTLP/HTTP span exporter, a 2xx counting only with an OTLP response body (see below). */
export function createCheckedOtlpSpanExporter(options: CheckedOtlpOptions): CheckedOtlpExporter<ReadableSpan> {
  return createChecked(TRACES, options);
}

/** The OTLP/HTTP log-record exporter, a 2xx counting only with an OTLP response body (see below). */
export function createCheckedOtlpLogExporter(options: CheckedOtlpOptions): CheckedOtlpExporter<ReadableLogRecord> {
  return createChecked(LOGS, options);
}

/**
 * OpenTelemetry's OTLP/HTTP exporter (same transport, retries, serialisers), except for what a
 * 2xx means. The SDK (otlp-exporter-base 0.223, `OTLPExportDelegate.export`) reports SUCCESS for
 * any 2xx, logging a body it cannot decode: a proxy or a misrouted endpoint answering 200 with an
 * HTML page would count as exported while every span is lost. Here a 2xx is a success only when
 * its body is empty (the protobuf encoding of an empty `Export*ServiceResponse`) or decodes as
 * that message in the request's protocol (for JSON: a JSON object); anything else is FAILED.
 * A partial success says how many items the backend rejected: the result carries that number
 * (`rejected`), for the caller to count them as dropped, not exported.
 *
 * The SDK decodes the body, then calls back, in the same synchronous step: the wrapped
 * serialiser records the verdict, and the callback, run right after, takes it. Concurrent
 * exports cannot see each other's verdict.
 */
function createChecked<Item>(signal: Signal<Item>, options: CheckedOtlpOptions): CheckedOtlpExporter<Item> {
  const json = options.protocol === 'http/json';
  const serializer = json ? signal.json : signal.protobuf;
  let verdict: Error | undefined;
  let rejected = 0;
  const checking: ISerializer<Item[], unknown> = {
    serializeRequest: (items) => serializer.serializeRequest(items),
    deserializeResponse(data) {
      verdict = undefined;
      rejected = 0;
      if (data.length === 0) return {};
      try {
        // The SDK's JSON trace serialiser answers `{}` for a body it cannot parse: parse it here.
        const response: unknown = json ? JSON.parse(new TextDecoder().decode(data)) : serializer.deserializeResponse(data);
        if (typeof response !== 'object' || response === null || Array.isArray(response)) throw new Error('not an object');
        rejected = countOf((response as { partialSuccess?: Record<string, unknown> | null }).partialSuccess?.[signal.rejectedField]);
        return response;
      } catch (error) {
        verdict = new Error(`export answered 2xx with a body that is not an OTLP ${signal.name.toLowerCase()} response`, { cause: error });
        throw error;
      }
    },
  };
  const config = {
    ...(options.endpoint !== undefined && { url: options.endpoint }),
    headers: { ...options.headers },
    timeoutMillis: options.timeoutMillis,
    ...(options.concurrencyLimit !== undefined && { concurrencyLimit: options.concurrencyLimit }),
  };
  const contentType = json ? 'application/json' : 'application/x-protobuf';
  const base = new OTLPExporterBase<Item[]>(
    createOtlpHttpExportDelegate(
      convertLegacyHttpOptions(config, signal.name, signal.path, { 'Content-Type': contentType }),
      checking,
      signal.componentType,
      signal.metrics,
      undefined,
    ),
  );
  return {
    export(items, done) {
      base.export(items, (result) => {
        const refused = verdict;
        const partial = rejected;
        verdict = undefined;
        rejected = 0;
        if (result.code !== ExportResultCode.SUCCESS) return done(result);
        if (refused !== undefined) return done({ code: ExportResultCode.FAILED, error: refused });
        const partialSuccess: CheckedExportResult = { code: ExportResultCode.SUCCESS, rejected: partial };
        done(partial > 0 ? partialSuccess : result);
      });
    },
    shutdown: () => base.shutdown(),
    forceFlush: () => base.forceFlush(),
  };
}

/**
 * An int64 count as the decoders give it: a number, a string (proto3 JSON writes int64 as one),
 * or a protobufjs Long. Anything else, negative or unreadable, is 0.
 */
function countOf(value: unknown): number {
  let count: number;
  if (typeof value === 'number') count = value;
  else if (typeof value === 'string') count = Number(value);
  else if (typeof value === 'bigint') count = Number(value);
  else if (typeof value === 'object' && value !== null && typeof (value as { toNumber?: unknown }).toNumber === 'function') {
    count = (value as { toNumber(): number }).toNumber();
  } else count = 0;
  return Number.isFinite(count) && count > 0 ? Math.floor(count) : 0;
}
