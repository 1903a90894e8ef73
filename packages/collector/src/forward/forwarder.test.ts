import { describe, expect, it } from 'vitest';
import { newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector } from '../internal/test-collector.js';

function oneSpan(traceId: string): object {
  return tracesRequest('svc', [{ traceId, name: 'op', startMillis: Date.now(), durationMillis: 1 }]);
}

async function eventually(check: () => Promise<boolean>, timeoutMillis = 10_000): Promise<void> {
  const until = Date.now() + timeoutMillis;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('forwarding to an upstream OTLP endpoint', () => {
  it('passes accepted payloads on to the upstream receiver', async () => {
    const upstream = await startTestCollector();
    const edge = await startTestCollector({ forward: { url: upstream.url } });
    try {
      const traceId = newTraceId();
      expect((await postOtlpJson(edge.url, 'traces', oneSpan(traceId))).status).toBe(200);
      await eventually(async () => (await upstream.store.query(`SELECT 1 FROM spans WHERE trace_id = $1`, [traceId])).length === 1);
      // The upstream stores before it answers, so the forwarder counts a moment later.
      await eventually(async () => edge.stats.forwardedPayloads === 1);
    } finally {
      await edge.stop();
      await upstream.stop();
    }
  });

  it('never blocks ingest when upstream is down: payloads past the queue are dropped and counted', async () => {
    // Port 9 (discard) on localhost: nothing listens, so every forward fails fast.
    const edge = await startTestCollector({ forward: { url: 'http://127.0.0.1:9', maxQueuedPayloads: 1 } });
    try {
      const statuses = await Promise.all(Array.from({ length: 5 }, () => postOtlpJson(edge.url, 'traces', oneSpan(newTraceId())).then((r) => r.status)));
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      await eventually(async () => edge.stats.forwardDropped + edge.stats.forwardFailed === 5);
      expect(edge.stats.forwardedPayloads).toBe(0);
    } finally {
      await edge.stop();
    }
  });
});
