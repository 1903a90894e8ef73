import { afterEach, describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const A = '11111111-1111-4111-8111-111111111111';
let c: TestCollector | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

/** The value of one series in a Prometheus text exposition, or undefined when absent. */
function series(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

function spans(n: number): object {
  const traceId = newTraceId();
  return tracesRequest(
    'svc',
    Array.from({ length: n }, (_, i) => ({ traceId, spanId: newSpanId(), name: `op ${i}`, kind: 2, startMillis: Date.now() - 50, durationMillis: 5, attributes: { 'stitch.tenant.id': A } })),
  );
}

describe('the collector’s own health', () => {
  it('answers /healthz and /readyz without a token, listing each readiness check', async () => {
    c = await startTestCollector();
    const live = await fetch(`${c.url}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${c.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; checks: { name: string; ok: boolean; latencyMs: number }[] };
    expect(body.status).toBe('ready');
    expect(body.checks.map((k) => k.name).sort()).toEqual(['queue', 'retention', 'store']);
    expect(body.checks.every((k) => k.ok && k.latencyMs >= 0)).toBe(true);
  });

  it('turns not ready, with the failing check and its reason, when the store cannot answer', async () => {
    c = await startTestCollector();
    await c.store.close();
    const res = await fetch(`${c.url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: { name: string; ok: boolean; reason?: string }[] };
    expect(body.status).toBe('not ready');
    const store = body.checks.find((k) => k.name === 'store')!;
    expect(store.ok).toBe(false);
    expect(store.reason).toBeTruthy();
    expect(body.checks.find((k) => k.name === 'queue')!.ok).toBe(true);
    // The probe itself keeps answering; liveness is unaffected.
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
  });
});

describe('the collector’s /metrics', () => {
  it('needs a platform-wide admin token', async () => {
    c = await startTestCollector();
    expect((await fetch(`${c.url}/metrics`)).status).toBe(401);
    expect((await c.get('/metrics', c.token('traces:read'))).status).toBe(403);
    expect((await c.get('/metrics', c.token('admin'))).status).toBe(200);
  });

  it('counts committed spans, received bytes, refusals by reason, commits and API answers per question', async () => {
    c = await startTestCollector();
    expect((await postOtlpJson(c.url, 'traces', spans(3))).status).toBe(200);
    const garbage = await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from('not protobuf at all') });
    expect(garbage.status).toBe(400);
    expect((await c.get(`/api/slow?tenant=${A}`, c.token('traces:read'))).status).toBe(200);

    const res = await c.get('/metrics', c.token('admin'));
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(series(text, 'stitch_collector_ingest_spans_total')).toBe(3);
    expect(series(text, 'stitch_collector_ingest_received_bytes_total', 'protocol="http/json"')).toBeGreaterThan(0);
    expect(series(text, 'stitch_collector_ingest_received_bytes_total', 'protocol="http/protobuf"')).toBe(19);
    expect(series(text, 'stitch_collector_ingest_refused_requests_total', 'status="400",reason="STITCH_ERR_COLLECTOR_UNDECODABLE"')).toBe(1);
    expect(series(text, 'stitch_collector_store_rows', 'table="spans"')).toBe(3);
    expect(series(text, 'stitch_collector_commit_duration_seconds_count', 'outcome="ok"')).toBe(1);
    expect(series(text, 'stitch_collector_api_request_duration_seconds_count', 'question="slow",status_class="2xx"')).toBe(1);
    expect(series(text, 'stitch_collector_queue_capacity_records')).toBe(c.config.maxQueueRecords);
  });
});
