import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { largeTracesBody } from '../internal/large-traces-body.js';
import { TracesRequest, decodeOtlp, decodeOtlpInSlices } from './decode.js';
import { normalizeTraces } from './normalize-traces.js';

const TENANT = '5d5d5d5d-0000-4000-8000-00000000005d';

/** Two resources, two scopes, and fields this collector does not know (a newer OTLP): skipped, as protobuf requires. */
function mixedBody(): Buffer {
  const span = (id: number, name: string) => ({
    traceId: Buffer.alloc(16, 7),
    spanId: Buffer.alloc(8, id),
    name,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000005000000',
  });
  const known = TracesRequest.encode(
    TracesRequest.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }, { key: 'tenant.id', value: { stringValue: TENANT } }] },
          scopeSpans: [
            { scope: { name: 'one' }, spans: [span(1, 'a1'), span(2, 'a2')], schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
            { scope: { name: 'two' }, spans: [{ ...span(3, 'a3'), parentSpanId: Buffer.alloc(8, 1) }] },
          ],
        },
        { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'b' } }] }, scopeSpans: [{ spans: [span(4, 'b1')] }] },
      ],
    }),
  ).finish();
  // Field 15 (varint 1) and field 14 (a 3-byte string) at the top level: unknown to this schema.
  return Buffer.concat([Buffer.from(known), Buffer.from([0x78, 0x01, 0x72, 0x03, 0x61, 0x62, 0x63])]);
}

describe('decoding a protobuf request a record at a time', () => {
  it('gives the same rows as decoding the whole message at once with protobufjs, unknown fields skipped', () => {
    const body = mixedBody();
    const viaWalker = decodeOtlp('traces', 'protobuf', body);
    if (!viaWalker.ok) throw new Error(viaWalker.detail);
    expect(viaWalker.batch).toEqual(normalizeTraces(TracesRequest.decode(body)));
    expect(viaWalker.batch.spans.map((s) => [s.name, s.service, s.tenantId])).toEqual([
      ['a1', 'a', TENANT],
      ['a2', 'a', TENANT],
      ['a3', 'a', TENANT],
      ['b1', 'b', null],
    ]);
  });

  it('refuses a body cut short as undecodable', () => {
    const body = mixedBody();
    const cut = decodeOtlp('traces', 'protobuf', body.subarray(0, 60));
    expect(cut.ok).toBe(false);
    expect(!cut.ok && cut.detail).toMatch(/^undecodable protobuf body: /);
  });

  it('refuses a body with a span whose own bytes do not decode as undecodable (found when the span is read)', () => {
    const body = largeTracesBody(3, TENANT);
    // The last span ends the body with its end time (fixed64): its tag byte becomes a field 15
    // of wire type 7, which protobuf does not have.
    const broken = Buffer.from(body);
    broken[broken.length - 9] = 0x7f;
    const result = decodeOtlp('traces', 'protobuf', broken);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.detail).toMatch(/^undecodable protobuf body: /);
  });

  it('gives the event loop turns while it decodes and normalizes a large body, with the same rows as at once', async () => {
    const body = largeTracesBody(20_000, TENANT);
    let turns = 0;
    let decoding = true;
    const ticking = (async () => {
      while (decoding) {
        await nextTurn();
        turns += 1;
      }
    })();
    // sliceMillis 0: a turn at every pause point, however fast this machine is.
    const sliced = await decodeOtlpInSlices('traces', 'protobuf', body, undefined, 0);
    decoding = false;
    await ticking;
    // 20k spans, a pause point every 256 in decoding and twice in normalizing: far more than a few turns.
    expect(turns).toBeGreaterThan(100);
    if (!sliced.ok) throw new Error(sliced.detail);
    expect(sliced.batch.spans).toHaveLength(20_000);
    expect(sliced).toEqual(decodeOtlp('traces', 'protobuf', body));
  });

  it('decodes a small body within one slice, without giving up a turn', async () => {
    let turned = false;
    setImmediate(() => (turned = true));
    const result = await decodeOtlpInSlices('traces', 'protobuf', mixedBody(), undefined, 60_000);
    expect(turned).toBe(false);
    expect(result.ok && result.batch.spans).toHaveLength(4);
  });
});
