import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { normalizeLogs } from './normalize-logs.js';
import { normalizeTraces } from './normalize-traces.js';
import type { RecordLimits } from './record-limits.js';
import type { DecodedBatch } from './records.js';

// Precompiled by scripts/gen-otlp-descriptor.ts from the vendored protos in proto/.
const descriptor = createRequire(import.meta.url)('./otlp-descriptor.json') as protobuf.INamespace;
const root = protobuf.Root.fromJSON(descriptor);
const TracesRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const LogsRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const TracesResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const LogsResponse = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');

export type Signal = 'traces' | 'logs';
export type Encoding = 'protobuf' | 'json';

export type DecodeResult = { ok: true; batch: DecodedBatch } | { ok: false; detail: string };

/**
 * Decodes one OTLP/HTTP request body. Failures are values: the route answers 400 with `detail`.
 *
 * @example decodeOtlp('traces', 'json', Buffer.from('{"resourceSpans":[]}'))
 */
export function decodeOtlp(signal: Signal, encoding: Encoding, body: Buffer, limits?: RecordLimits): DecodeResult {
  let message: unknown;
  try {
    if (encoding === 'protobuf') {
      const type = signal === 'traces' ? TracesRequest : LogsRequest;
      // The decoded message goes to the normalizers as is: no toObject copy. They read fields
      // the way OTLP/JSON names them (protobufjs uses the same lowerCamelCase), ids arrive as
      // bytes, fixed64 as Long, and unset fields fall back to prototype defaults.
      message = type.decode(body);
    } else {
      message = JSON.parse(body.toString('utf8'));
      if (typeof message !== 'object' || message === null || Array.isArray(message)) {
        return { ok: false, detail: 'the JSON body is not an object' };
      }
    }
  } catch (err) {
    return { ok: false, detail: `undecodable ${encoding} body: ${(err as Error).message}`.slice(0, 300) };
  }
  try {
    return { ok: true, batch: signal === 'traces' ? normalizeTraces(message, limits) : normalizeLogs(message, limits) };
  } catch (err) {
    // The normalizers check every field; reaching here means a shape they did not foresee.
    return { ok: false, detail: `unreadable ${signal} payload: ${(err as Error).message}`.slice(0, 300) };
  }
}

/** The Export*ServiceResponse body, with partial_success only when something was rejected. */
export function encodeExportResponse(
  signal: Signal,
  encoding: Encoding,
  rejected: number,
  errorMessage: string,
): { body: Buffer | string; contentType: string } {
  const countField = signal === 'traces' ? 'rejectedSpans' : 'rejectedLogRecords';
  const payload = rejected > 0 ? { partialSuccess: { [countField]: rejected, errorMessage } } : {};
  if (encoding === 'json') {
    // int64 is a string in the OTLP/JSON mapping.
    const json = rejected > 0 ? { partialSuccess: { [countField]: String(rejected), errorMessage } } : {};
    return { body: JSON.stringify(json), contentType: 'application/json' };
  }
  const type = signal === 'traces' ? TracesResponse : LogsResponse;
  return { body: Buffer.from(type.encode(type.fromObject(payload)).finish()), contentType: 'application/x-protobuf' };
}

export { TracesRequest, LogsRequest, TracesResponse, LogsResponse };
