import { request as httpRequest } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largeTracesBody } from '../internal/large-traces-body.js';
import { newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const TENANT = '9b9b9b9b-0000-4000-8000-00000000009b';
const SPANS = 100_000;
let c: TestCollector;

beforeAll(async () => {
  c = await startTestCollector({ maxInflightRequests: 1 });
});
afterAll(async () => {
  await c.stop();
});

const small = () => postOtlpJson(c.url, 'traces', tracesRequest('svc', [{ traceId: newTraceId(), name: 'op', startMillis: Date.now(), durationMillis: 1 }]));

describe('a sender that leaves while its body is being decoded (issue 15)', () => {
  it('keeps its in-flight place until the handler is done with the body, then gives it back', async () => {
    const body = largeTracesBody(SPANS, TENANT);
    const before = { received: c.stats.receivedBytes.protobuf, accepted: c.stats.acceptedSpans };
    const req = httpRequest(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } });
    req.on('error', () => undefined);
    req.end(body);
    // Until the handler has the whole body and has not yet handed it to the write queue.
    while (!(c.stats.receivedBytes.protobuf >= before.received + body.length && c.queue.depth === 0)) await nextTurn();
    req.destroy();
    await nextTurn();

    // The one place is still the decoding body's: memory still holds it.
    expect((await small()).status).toBe(429);
    while (c.stats.acceptedSpans < before.accepted + SPANS) await nextTurn();
    // Decoded and stored (the sender may retry it: at least once), and the place is free again.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await small()).status;
      if (status !== 200) await nextTurn();
    }
    expect(status).toBe(200);
  }, 60_000);
});
