import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceResponseSchema } from '@stitch/contract';
import { largeTracesBody, largeTracesJsonBody } from '../internal/large-traces-body.js';
import { newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const TENANT = '6e6e6e6e-0000-4000-8000-00000000006e';
const SPANS = 250_000;
let c: TestCollector;

beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(async () => {
  await c.stop();
});

describe('the API while a large body is ingested (issue 15)', () => {
  it(`answers questions while a ${SPANS}-span, 13.5 MB body is decoded and while it is stored, and the body is stored whole`, async () => {
    const asked = newTraceId();
    expect((await postOtlpJson(c.url, 'traces', tracesRequest('svc', [{ traceId: asked, name: 'GET /x', startMillis: Date.now(), durationMillis: 3, attributes: { 'tenant.id': TENANT } }]))).status).toBe(200);
    const token = c.token('traces:read', TENANT);
    const body = largeTracesBody(SPANS, TENANT);
    const before = { received: c.stats.receivedBytes.protobuf, accepted: c.stats.acceptedSpans };

    let ingestAnswered = false;
    const ingest = fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body }).then((res) => {
      ingestAnswered = true;
      return res;
    });
    // Where the big request was each time a question was answered before it: its body read
    // (the handler counted its bytes) and not yet handed to the write queue is decoding;
    // in the queue and not yet committed is storing. Decoding at once (as before issue 15),
    // no answer could ever see the first: the handler went from counting the bytes to the
    // queue in one synchronous stretch.
    const answeredWhile = { decoding: 0, storing: 0 };
    let answeredBefore = 0;
    while (!ingestAnswered) {
      const res = await c.get(`/api/traces/${asked}`, token);
      expect(res.status).toBe(200);
      expect(TraceResponseSchema.parse(await res.json()).spans.map((s) => s.name)).toEqual(['GET /x']);
      if (ingestAnswered) break;
      answeredBefore += 1;
      const bodyRead = c.stats.receivedBytes.protobuf >= before.received + body.length;
      const committed = c.stats.acceptedSpans >= before.accepted + SPANS;
      if (bodyRead && !committed) answeredWhile[c.queue.depth === 0 ? 'decoding' : 'storing'] += 1;
    }

    const res = await ingest;
    expect(res.status).toBe(200);
    expect(answeredBefore).toBeGreaterThan(0);
    expect(answeredWhile.decoding).toBeGreaterThan(0);
    expect(answeredWhile.storing).toBeGreaterThan(0);
    expect(c.stats.acceptedSpans - before.accepted).toBe(SPANS);
    expect(await c.store.query(`SELECT count(*)::INTEGER AS n FROM spans WHERE tenant_id = $1 AND name = 'tiny'`, [TENANT])).toEqual([{ n: SPANS }]);
  }, 120_000);

  it('answers questions while an 80k-span, 13.7 MB OTLP/JSON body is parsed and stored, and the body is stored whole', async () => {
    const asked = newTraceId();
    expect((await postOtlpJson(c.url, 'traces', tracesRequest('svc', [{ traceId: asked, name: 'GET /y', startMillis: Date.now(), durationMillis: 3, attributes: { 'tenant.id': TENANT } }]))).status).toBe(200);
    const token = c.token('traces:read', TENANT);
    const spans = 80_000;
    const body = largeTracesJsonBody(spans, TENANT, 'bulk-json');
    const before = { received: c.stats.receivedBytes.json, accepted: c.stats.acceptedSpans };

    let ingestAnswered = false;
    const ingest = fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((res) => {
      ingestAnswered = true;
      return res;
    });
    // As above: body read and not yet queued is parsing (then normalizing).
    let answeredWhileDecoding = 0;
    while (!ingestAnswered) {
      const res = await c.get(`/api/traces/${asked}`, token);
      expect(res.status).toBe(200);
      if (ingestAnswered) break;
      const bodyRead = c.stats.receivedBytes.json >= before.received + body.length;
      if (bodyRead && c.queue.depth === 0 && c.stats.acceptedSpans < before.accepted + spans) answeredWhileDecoding += 1;
    }

    expect((await ingest).status).toBe(200);
    expect(answeredWhileDecoding).toBeGreaterThan(0);
    expect(c.stats.acceptedSpans - before.accepted).toBe(spans);
    expect(await c.store.query(`SELECT count(*)::INTEGER AS n FROM spans WHERE tenant_id = $1 AND service = 'bulk-json'`, [TENANT])).toEqual([{ n: spans }]);
  }, 120_000);
});
