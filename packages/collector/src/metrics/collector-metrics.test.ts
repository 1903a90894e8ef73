import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

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
    expect([...documented.keys()].sort()).toEqual([...registered.keys()].sort());
    for (const [name, type] of registered) expect(`${name}: ${documented.get(name)}`).toBe(`${name}: ${type}`);
  });
});
