import { WebhookRetriesResponseSchema } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postOtlpJson, tracesRequest, type SpanSpec } from '../internal/otlp-json-builder.js';
import { webhookAttemptSpan } from '../internal/kernel-span-specs.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const A = '55555555-5555-4555-8555-555555555555';
const B = '66666666-6666-4666-8666-666666666666';
let c: TestCollector;
let t0: number;

function deliver(endpoint: string, tenantId: string, attempt: number, httpStatus: number, atMillis: number): SpanSpec {
  return webhookAttemptSpan({ endpoint, tenantId, attempt, httpStatus, atMillis });
}

beforeAll(async () => {
  c = await startTestCollector();
  t0 = Date.now() - 60_000;
  const spans: SpanSpec[] = [
    // Busy and healthy: many first attempts, all answered 200, from two tenants.
    ...Array.from({ length: 12 }, (_, i) => deliver('ep-busy', i % 2 === 0 ? A : B, 1, 200, t0 + i * 100)),
    // The storm: one delivery retried 5 times, every attempt failing.
    ...[1, 2, 3, 4, 5, 6].map((n) => deliver('ep-storm', A, n, n % 2 === 0 ? 502 : 503, t0 + 1000 + n * 500)),
    // Flaky: as many retries as the next but recovering, so a lower failure ratio.
    ...[1, 2].map((n) => deliver('ep-flaky-ok', B, n, n === 1 ? 500 : 200, t0 + 2000 + n * 100)),
    ...[1, 2].map((n) => deliver('ep-flaky-bad', B, n, 500, t0 + 3000 + n * 100)),
  ];
  const res = await postOtlpJson(c.url, 'traces', tracesRequest('shop', spans));
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await c.stop();
});

describe('webhooks --retries', () => {
  it('ranks by retries then failure ratio: a busy healthy endpoint never outranks a failing retrying one', async () => {
    const res = await c.get('/api/webhooks/retries', c.token('admin'));
    expect(res.status).toBe(200);
    const body = WebhookRetriesResponseSchema.parse(await res.json());
    expect(body.endpoints.map((e) => e.endpoint)).toEqual(['ep-storm', 'ep-flaky-bad', 'ep-flaky-ok', 'ep-busy']);
    expect(body.endpoints[0]).toMatchObject({
      attempts: 6,
      failures: 6,
      retries: 5,
      maxAttempt: 6,
      failureRatio: 1,
      statusCodes: [502, 503],
      tenants: [A],
      firstAttemptTime: new Date(t0 + 1500).toISOString(),
      lastAttemptTime: new Date(t0 + 4000).toISOString(),
    });
    expect(body.endpoints[3]).toMatchObject({ attempts: 12, failures: 0, retries: 0, failureRatio: 0, statusCodes: [200], tenants: [A, B].sort() });
  });
});
