import { randomBytes } from 'node:crypto';
import { TracesRequest } from '../otlp/decode.js';

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A length-delimited field: tag, length, bytes. */
const field = (tag: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), varint(bytes.length), bytes]);

const SPAN_BYTES = 52;

/**
 * An OTLP/protobuf ExportTraceServiceRequest of `spans` tiny spans (trace and span id, name,
 * start and end) under one resource carrying `service.name` and `tenant.id`: the "one large
 * request" of issue 15, 250k spans in 13.5 MB. For the ingest tests and bench. Written byte by
 * byte (protobufjs' fromObject takes seconds for 250k spans); ids are random, so bodies never
 * collide in a store.
 */
export function largeTracesBody(spans: number, tenantId: string, service = 'bulk'): Buffer {
  const traceId = randomBytes(16);
  const ids = randomBytes(8 * spans);
  const startNanos = BigInt(Date.now() - 60_000) * 1_000_000n;
  const blob = Buffer.alloc(spans * (SPAN_BYTES + 2));
  for (let i = 0, at = 0; i < spans; i++) {
    // Span (field 2 of ScopeSpans): trace_id 1, span_id 2, name 5, start 7 and end 8 (fixed64).
    at = blob.writeUInt8(0x12, at);
    at = blob.writeUInt8(SPAN_BYTES, at);
    at = blob.writeUInt8(0x0a, at);
    at = blob.writeUInt8(16, at);
    at += traceId.copy(blob, at);
    at = blob.writeUInt8(0x12, at);
    at = blob.writeUInt8(8, at);
    at += ids.copy(blob, at, 8 * i, 8 * i + 8);
    at = blob.writeUInt8(0x2a, at);
    at = blob.writeUInt8(4, at);
    at += blob.write('tiny', at, 'latin1');
    at = blob.writeUInt8(0x39, at);
    at = blob.writeBigUInt64LE(startNanos + BigInt(i), at);
    at = blob.writeUInt8(0x41, at);
    at = blob.writeBigUInt64LE(startNanos + BigInt(i) + 1000n, at);
  }
  // The resource is small: protobufjs encodes it.
  const resourceType = TracesRequest.lookupType('opentelemetry.proto.resource.v1.Resource');
  const attributes = [
    { key: 'service.name', value: { stringValue: service } },
    { key: 'tenant.id', value: { stringValue: tenantId } },
  ];
  const resource = Buffer.from(resourceType.encode(resourceType.fromObject({ attributes })).finish());
  const scopeSpans = Buffer.concat([field(0x0a, field(0x0a, Buffer.from('bulk'))), blob]);
  const resourceSpans = Buffer.concat([field(0x0a, resource), field(0x12, scopeSpans)]);
  return field(0x0a, resourceSpans);
}

/**
 * The OTLP/JSON twin of largeTracesBody: `spans` tiny spans under one resource, about 170 bytes
 * each (80k spans: 13.7 MB). For the ingest tests and bench.
 */
export function largeTracesJsonBody(spans: number, tenantId: string, service = 'bulk'): Buffer {
  const traceId = randomBytes(16).toString('hex');
  const ids = randomBytes(8 * spans).toString('hex');
  const startNanos = BigInt(Date.now() - 60_000) * 1_000_000n;
  const parts: string[] = new Array<string>(spans);
  for (let i = 0; i < spans; i++) {
    const start = startNanos + BigInt(i);
    parts[i] =
      `{"traceId":"${traceId}","spanId":"${ids.slice(16 * i, 16 * i + 16)}","name":"tiny",` +
      `"startTimeUnixNano":"${start}","endTimeUnixNano":"${start + 1000n}"}`;
  }
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'tenant.id', value: { stringValue: tenantId } }] };
  return Buffer.from(`{"resourceSpans":[{"resource":${JSON.stringify(resource)},"scopeSpans":[{"scope":{"name":"bulk"},"spans":[${parts.join(',')}]}]}]}`);
}
