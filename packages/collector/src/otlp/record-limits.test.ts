import { SpanAttr, TraceResponseSchema } from '@stitch/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';
import { DEFAULT_RECORD_LIMITS, LIMIT_ATTRIBUTES } from './record-limits.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
let c: TestCollector | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

async function trace(traceId: string): Promise<{ text: string; answer: ReturnType<typeof TraceResponseSchema.parse> }> {
  const res = await c!.get(`/api/traces/${traceId}`, c!.token('admin'));
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, answer: TraceResponseSchema.parse(JSON.parse(text)) };
}

const str = (value: string) => ({ stringValue: value });

describe('record limits at ingest', () => {
  it('truncates long string values and records how many on the span: ten 1 MB attributes are not stored whole', async () => {
    c = await startTestCollector();
    const traceId = newTraceId();
    const attributes: Record<string, string> = { [SpanAttr.tenantId]: A };
    for (let i = 0; i < 10; i++) attributes[`blob.${i}`] = 'x'.repeat(1024 * 1024);
    const res = await postOtlpJson(c.url, 'traces', tracesRequest('svc', [{ traceId, name: 'big', startMillis: Date.now(), durationMillis: 1, attributes }]));
    expect(res.status).toBe(200);
    const { text, answer } = await trace(traceId);
    const span = answer.spans[0]!;
    expect(span.tenantId).toBe(A);
    expect(String(span.attributes['blob.3'])).toHaveLength(DEFAULT_RECORD_LIMITS.attributeValueLength);
    expect(span.attributes[LIMIT_ATTRIBUTES.truncatedValues]).toBe(10);
    expect(text.length).toBeLessThan(200 * 1024);
  });

  it('drops attributes, events and links past their counts, keeps the first ones, and counts each on the span and in /metrics', async () => {
    c = await startTestCollector({ recordLimits: { attributesPerRecord: 5, eventsPerSpan: 2, linksPerSpan: 1 } });
    const traceId = newTraceId();
    const attributes: Record<string, string | number> = { [SpanAttr.tenantId]: A };
    for (let i = 0; i < 9; i++) attributes[`k${i}`] = i;
    const spec = {
      traceId,
      name: 'crowded',
      startMillis: Date.now(),
      durationMillis: 1,
      attributes,
      events: [0, 1, 2, 3].map((i) => ({ name: `e${i}`, timeMillis: Date.now() })),
      links: [0, 1, 2].map(() => ({ traceId: newTraceId(), spanId: newSpanId() })),
    };
    expect((await postOtlpJson(c.url, 'traces', tracesRequest('svc', [spec]))).status).toBe(200);
    const span = (await trace(traceId)).answer.spans[0]!;
    // tenant.id is the first key, so it is among the five kept; k0..k3 are the rest.
    expect(span.tenantId).toBe(A);
    expect(Object.keys(span.attributes).filter((k) => /^k\d$/.test(k))).toEqual(['k0', 'k1', 'k2', 'k3']);
    expect(span.events.map((e) => e.name)).toEqual(['e0', 'e1']);
    expect(span.links).toHaveLength(1);
    expect(span.attributes).toMatchObject({ [LIMIT_ATTRIBUTES.droppedAttributes]: 5, [LIMIT_ATTRIBUTES.droppedEvents]: 2, [LIMIT_ATTRIBUTES.droppedLinks]: 2 });
    const metrics = await (await c.get('/metrics', c.token('admin'))).text();
    expect(metrics).toContain('stitch_collector_ingest_limited_total{what="dropped_attributes"} 5');
    expect(metrics).toContain('stitch_collector_ingest_limited_total{what="dropped_events"} 2');
  });

  it('treats __proto__, constructor and prototype as plain keys: a kvlist under __proto__ cannot move a span to another tenant', async () => {
    c = await startTestCollector();
    const own = newTraceId();
    const orphan = newTraceId();
    const hostile = (tenant: string | null) => [
      ...(tenant ? [{ key: SpanAttr.tenantId, value: str(tenant) }] : []),
      { key: '__proto__', value: { kvlistValue: { values: [{ key: SpanAttr.tenantId, value: str(B) }] } } },
      { key: 'constructor', value: str('c') },
      { key: 'prototype', value: { kvlistValue: { values: [{ key: SpanAttr.tenantId, value: str(B) }] } } },
    ];
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = (traceId: string, tenant: string | null) => ({
      traceId,
      spanId: newSpanId(),
      name: 'hostile',
      kind: 1,
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 1_000_000n),
      attributes: hostile(tenant),
    });
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: str('svc') }] }, scopeSpans: [{ spans: [span(own, A), span(orphan, null)] }] }] };
    expect((await postOtlpJson(c.url, 'traces', body)).status).toBe(200);

    const { text, answer } = await trace(own);
    const mine = answer.spans[0]!;
    expect(mine.tenantId).toBe(A);
    expect(mine.attributes.constructor).toBe('c');
    // Stored and served as keys (read from the raw answer: parsing into a plain object, as zod does, would make __proto__ a prototype again).
    const raw = (JSON.parse(text) as { spans: { attributes: object }[] }).spans[0]!.attributes;
    expect(Object.keys(raw)).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'prototype']));
    // No tenant of its own: it stays tenant-less, never B's, and B's token cannot see it.
    expect((await trace(orphan)).answer.spans[0]!.tenantId).toBeNull();
    expect((await c.get(`/api/traces/${orphan}`, c.token('traces:read', B))).status).toBe(404);
  });

  it('refuses nonsensical limits in the configuration', async () => {
    await expect(startTestCollector({ recordLimits: { attributeValueLength: 0 } })).rejects.toThrow(/attributeValueLength/);
  });
});
