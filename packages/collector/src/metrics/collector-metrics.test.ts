import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTraceId, postOtlpJson, tracesRequest, logsRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector, testStoreDialect, type TestCollector } from '../internal/test-collector.js';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(async () => {
  await c.stop();
});

describe('the collector’s metrics', () => {
  it('are exactly the ones docs/collector-health.md lists, with the type it gives', async () => {
    const doc = readFileSync(new URL('../../../../docs/collector-health.md', import.meta.url), 'utf8');
    const documented = new Map([...doc.matchAll(/^\| `(stitch_collector_[a-z_]+)` \| (counter|gauge|histogram) \|/gm)].map((m) => [m[1]!, m[2]!]));
    const registered = new Map(
      (await c.metrics.registry.getMetricsAsJSON())
        // Node's process metrics (collectDefaultMetrics) carry the prefix too but are not ours to document.
        .filter((m) => !/^stitch_collector_(process|nodejs)_/.test(m.name))
        .map((m) => [m.name, String(m.type)]),
    );
    // The size limit is DuckDB's alone (ClickHouse's tables retain by TTL): not registered there.
    if (testStoreDialect() === 'clickhouse') documented.delete('stitch_collector_store_size_limit_bytes');
    expect([...documented.keys()].sort()).toEqual([...registered.keys()].sort());
    for (const [name, type] of registered) expect(`${name}: ${documented.get(name)}`).toBe(`${name}: ${type}`);
  });

  it('count the rows the store holds and its bytes on disk, on either engine', async () => {
    const traceId = newTraceId();
    const spans = Array.from({ length: 3 }, (_, i) => ({ traceId, name: `s${i}`, startMillis: Date.now(), durationMillis: 1 }));
    expect((await postOtlpJson(c.url, 'traces', tracesRequest('svc', spans))).status).toBe(200);
    expect((await postOtlpJson(c.url, 'logs', logsRequest('svc', [{ timeMillis: Date.now(), body: 'one' }, { timeMillis: Date.now(), body: 'two' }]))).status).toBe(200);
    const metrics = await c.metrics.registry.getMetricsAsJSON();
    const values = (name: string) => metrics.find((m) => m.name === name)!.values as { value: number; labels: Record<string, string> }[];
    const rows = Object.fromEntries(values('stitch_collector_store_rows').map((v) => [v.labels.table, v.value]));
    expect(rows).toEqual({ spans: 3, logs: 2 });
    expect(values('stitch_collector_store_bytes')[0]!.value).toBeGreaterThan(0);
  });
});
