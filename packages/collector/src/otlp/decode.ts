import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { LARGE_BODY_BYTES, largeBodies } from '../ingest/large-body-gate.js';
import { runInSlices, runToEnd, type Steps } from '../ingest/work-in-slices.js';
import { decodeRequestSteps, UndecodableRecord, type RequestShape } from './decode-protobuf.js';
import { normalizeLogsSteps } from './normalize-logs.js';
import { normalizeTracesSteps } from './normalize-traces.js';
import { parseJsonInSteps } from './parse-json-in-steps.js';
import type { RecordLimits } from './record-limits.js';
import type { DecodedBatch } from './records.js';

// Precompiled by scripts/gen-otlp-descriptor.ts from the vendored protos in proto/.
const descriptor = createRequire(import.meta.url)('./otlp-descriptor.json') as protobuf.INamespace;
const root = protobuf.Root.fromJSON(descriptor);
const TracesRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const LogsRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const TracesResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const LogsResponse = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');

const TRACES_SHAPE: RequestShape = {
  resourcesField: 'resourceSpans',
  scopesField: 'scopeSpans',
  recordsField: 'spans',
  resource: root.lookupType('opentelemetry.proto.resource.v1.Resource'),
  scope: root.lookupType('opentelemetry.proto.common.v1.InstrumentationScope'),
  record: root.lookupType('opentelemetry.proto.trace.v1.Span'),
};
const LOGS_SHAPE: RequestShape = {
  ...TRACES_SHAPE,
  resourcesField: 'resourceLogs',
  scopesField: 'scopeLogs',
  recordsField: 'logRecords',
  record: root.lookupType('opentelemetry.proto.logs.v1.LogRecord'),
};

export type Signal = 'traces' | 'logs';
export type Encoding = 'protobuf' | 'json';

export type DecodeResult = { ok: true; batch: DecodedBatch } | { ok: false; detail: string };

/**
 * Decodes one OTLP/HTTP request body. Failures are values: the route answers 400 with `detail`.
 * Runs at once; the ingest path uses decodeOtlpInSlices.
 *
 * @example decodeOtlp('traces', 'json', Buffer.from('{"resourceSpans":[]}'))
 */
export function decodeOtlp(signal: Signal, encoding: Encoding, body: Buffer, limits?: RecordLimits): DecodeResult {
  return runToEnd(decodeOtlpSteps(signal, encoding, body, limits));
}

/**
 * What the ingest (OTLP/HTTP and OTLP/gRPC) calls: decodeOtlp, with the event loop given a turn
 * every `sliceMillis`, so a large body never holds the API (issue 15). A body decoded within one
 * slice is decoded exactly as by decodeOtlp, with no turn given up.
 */
export function decodeOtlpInSlices(signal: Signal, encoding: Encoding, body: Buffer, limits?: RecordLimits, sliceMillis = DEFAULT_SLICE_MILLIS): Promise<DecodeResult> {
  const decode = () => runInSlices(decodeOtlpSteps(signal, encoding, body, limits), sliceMillis);
  // One large body at a time (ingest/large-body-gate.ts): the memory decoding takes is bounded.
  return body.length >= LARGE_BODY_BYTES ? largeBodies.run(decode) : decode();
}

/** Longest stretch decoding holds the event loop: a few tens of ms at most, with room for timers. */
export const DEFAULT_SLICE_MILLIS = 10;

function* decodeOtlpSteps(signal: Signal, encoding: Encoding, body: Buffer, limits?: RecordLimits): Steps<DecodeResult> {
  let message: unknown;
  try {
    if (encoding === 'protobuf') {
      // Walked, then decoded a record at a time as the normalizer reads it (decode-protobuf.ts);
      // the messages go to the normalizers as they are: no toObject copy. They read fields the way OTLP/JSON names them (protobufjs
      // uses the same lowerCamelCase), ids arrive as bytes, fixed64 as Long, and unset fields
      // fall back to prototype defaults.
      message = yield* decodeRequestSteps(signal === 'traces' ? TRACES_SHAPE : LOGS_SHAPE, body);
    } else {
      // A large body is parsed incrementally, in steps (parse-json-in-steps.ts).
      message = yield* parseJsonInSteps(body);
      if (typeof message !== 'object' || message === null || Array.isArray(message)) {
        return { ok: false, detail: 'the JSON body is not an object' };
      }
    }
  } catch (err) {
    return { ok: false, detail: `undecodable ${encoding} body: ${(err as Error).message}`.slice(0, 300) };
  }
  yield;
  try {
    return { ok: true, batch: signal === 'traces' ? yield* normalizeTracesSteps(message, limits) : yield* normalizeLogsSteps(message, limits) };
  } catch (err) {
    // A record the walk only located fails to decode when the normalizer reaches it.
    if (err instanceof UndecodableRecord) return { ok: false, detail: `undecodable ${encoding} body: ${err.message}`.slice(0, 300) };
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
