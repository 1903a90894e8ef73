import { randomBytes } from 'node:crypto';
import { TracesRequest } from '../otlp/decode.js';

/**
 * An OTLP/protobuf ExportTraceServiceRequest of `spans` tiny spans (ids, name, times, one
 * tenant attribute on the resource): the "one large request" of issue 15, 250k spans in
 * ≈12.8 MB. For the ingest tests and bench; ids are random so bodies never collide in a store.
 */
export function largeTracesBody(spans: number, tenantId: string, service = 'bulk'): Buffer {
  const traceId = randomBytes(16);
  const ids = randomBytes(8 * spans);
  const startNanos = BigInt(Date.now() - 60_000) * 1_000_000n;
  const list = Array.from({ length: spans }, (_, i) => ({
    traceId,
    spanId: ids.subarray(8 * i, 8 * i + 8),
    name: 'tiny',
    kind: 1,
    startTimeUnixNano: String(startNanos + BigInt(i)),
    endTimeUnixNano: String(startNanos + BigInt(i) + 1000n),
  }));
  const message = TracesRequest.fromObject({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: service } },
            { key: 'tenant.id', value: { stringValue: tenantId } },
          ],
        },
        scopeSpans: [{ scope: { name: 'bulk' }, spans: list }],
      },
    ],
  });
  return Buffer.from(TracesRequest.encode(message).finish());
}
