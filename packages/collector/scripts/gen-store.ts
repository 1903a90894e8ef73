/**
 * Generates a DuckDB store for the query benches: `npm run gen-store -w packages/collector --
 * --spans 1000000 --tenants 50 --hours 24 --out /tmp/stitch-bench.duckdb`.
 *
 * Rows go through the real OTLP normalizer and the store's appender path (not the HTTP layer,
 * which the ingest bench measures), so what lands is exactly what ingest would store.
 */
import { existsSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tracesRequest, logsRequest } from '../src/internal/otlp-json-builder.js';
import { createRng, syntheticTrace, tenantIds } from '../src/internal/synthetic-workload.js';
import { normalizeLogs } from '../src/otlp/normalize-logs.js';
import { normalizeTraces } from '../src/otlp/normalize-traces.js';
import type { DecodedBatch } from '../src/otlp/records.js';
import { Store } from '../src/store/store.js';

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '1000000' },
    tenants: { type: 'string', default: '50' },
    hours: { type: 'string', default: '24' },
    out: { type: 'string', default: 'stitch-bench.duckdb' },
    seed: { type: 'string', default: '42' },
  },
});

export async function generateStore(out: string, spanTarget: number, tenantCount: number, hours: number, seed: number): Promise<{ spans: number; logs: number; seconds: number }> {
  const started = performance.now();
  for (const f of [out, `${out}.wal`, `${out}.tokens.json`]) if (existsSync(f)) rmSync(f);
  const store = await Store.open({ path: out });
  const rng = createRng(seed);
  const tenants = tenantIds(tenantCount);
  const now = Date.now();
  const spanMillis = hours * 3_600_000;
  let spans = 0;
  let logs = 0;
  let pending: DecodedBatch[] = [];
  let pendingSpans = 0;
  while (spans < spanTarget) {
    // Zipf-ish tenant skew: a few tenants carry most traffic, as in real SaaS.
    const tenant = tenants[Math.floor(rng() ** 2 * tenants.length)]!;
    const start = now - spanMillis + (spans / spanTarget) * spanMillis;
    const t = syntheticTrace(rng, tenant, start);
    const traces = normalizeTraces(tracesRequest(t.service, t.spans, { 'service.instance.id': `${t.service}-1` }));
    const logBatch = normalizeLogs(logsRequest(t.service, t.logs));
    pending.push(traces, logBatch);
    spans += traces.spans.length;
    logs += logBatch.logs.length;
    pendingSpans += traces.spans.length;
    if (pendingSpans >= 50_000) {
      await store.write(pending);
      pending = [];
      pendingSpans = 0;
      process.stderr.write(`\r${spans} spans`);
    }
  }
  if (pending.length > 0) await store.write(pending);
  await store.close();
  process.stderr.write('\n');
  return { spans, logs, seconds: (performance.now() - started) / 1000 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await generateStore(values.out!, Number(values.spans), Number(values.tenants), Number(values.hours), Number(values.seed));
  console.log(`wrote ${r.spans} spans and ${r.logs} logs across ${values.tenants} tenants to ${values.out} in ${r.seconds.toFixed(1)} s`);
}
