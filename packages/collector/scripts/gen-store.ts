/**
 * Generates stores for the query benches, on either engine:
 * `npm run gen-store -w packages/collector -- --spans 1000000 --tenants 50 --hours 24
 * --out /tmp/stitch-bench.duckdb`.
 *
 * `--out` takes a DuckDB file or a `chdb:///dir` store (ClickHouse, the tables `stitch serve
 * --store` reads), and may be given twice: one generation then fills both engines with the same
 * rows (chdb runs one engine per process, so at most one `chdb:` output). `--sample-out` stores
 * every `--sample-every`th trace only (default 10): the same day and tenant mix at a tenth of the
 * volume, so a 1M store and a 10M store come from one run.
 *
 * Rows go through the real OTLP normalizer and the store's write path (not the HTTP layer,
 * which the ingest bench measures), so what lands is exactly what ingest would store.
 */
import { existsSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tracesRequest, logsRequest } from '../src/internal/otlp-json-builder.js';
import { createRng, syntheticTrace, tenantIds } from '../src/internal/synthetic-workload.js';
import { normalizeLogs } from '../src/otlp/normalize-logs.js';
import { normalizeTraces } from '../src/otlp/normalize-traces.js';
import type { DecodedBatch } from '../src/otlp/records.js';
import { chdbDirectory } from '../src/store/clickhouse/chdb-client.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';

export interface GenerateOptions {
  /** Stores that get every trace: DuckDB file paths or `chdb:` store URLs. */
  out: readonly string[];
  /** Stores that get every `sampleEvery`th trace. */
  sampleOut?: readonly string[];
  sampleEvery?: number;
  spans: number;
  tenants: number;
  hours: number;
  seed: number;
}

/** Opens a fresh store at `target`, removing what an earlier generation left there. */
async function freshStore(target: string): Promise<Store> {
  if (target.startsWith('chdb:')) {
    rmSync(chdbDirectory(target), { recursive: true, force: true });
    return openStore({ data: '', store: target });
  }
  for (const f of [target, `${target}.wal`, `${target}.tokens.json`]) if (existsSync(f)) rmSync(f);
  return openStore({ data: target });
}

/** Buffers batches for one store and writes them 50,000 spans at a time. */
class BatchedWriter {
  private pending: DecodedBatch[] = [];
  private pendingSpans = 0;
  spans = 0;
  logs = 0;
  constructor(readonly store: Store) {}
  async add(traces: DecodedBatch, logs: DecodedBatch): Promise<void> {
    this.pending.push(traces, logs);
    this.spans += traces.spans.length;
    this.logs += logs.logs.length;
    this.pendingSpans += traces.spans.length;
    if (this.pendingSpans >= 50_000) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.pending.length > 0) await this.store.write(this.pending);
    this.pending = [];
    this.pendingSpans = 0;
  }
}

export async function generateStores(options: GenerateOptions): Promise<{ spans: number; logs: number; sampledSpans: number; seconds: number }> {
  const started = performance.now();
  const every = options.sampleEvery ?? 10;
  const full = await Promise.all(options.out.map(async (t) => new BatchedWriter(await freshStore(t))));
  const sampled = await Promise.all((options.sampleOut ?? []).map(async (t) => new BatchedWriter(await freshStore(t))));
  try {
    const rng = createRng(options.seed);
    const tenants = tenantIds(options.tenants);
    const now = Date.now();
    const spanMillis = options.hours * 3_600_000;
    let spans = 0;
    let logs = 0;
    let sampledSpans = 0;
    for (let trace = 0; spans < options.spans; trace++) {
      // Zipf-ish tenant skew: a few tenants carry most traffic, as in real SaaS.
      const tenant = tenants[Math.floor(rng() ** 2 * tenants.length)]!;
      const start = now - spanMillis + (spans / options.spans) * spanMillis;
      const t = syntheticTrace(rng, tenant, start);
      const traceBatch = normalizeTraces(tracesRequest(t.service, t.spans, { 'service.instance.id': `${t.service}-1` }));
      const logBatch = normalizeLogs(logsRequest(t.service, t.logs));
      const before = spans;
      spans += traceBatch.spans.length;
      logs += logBatch.logs.length;
      for (const w of full) await w.add(traceBatch, logBatch);
      if (trace % every === 0) {
        sampledSpans += traceBatch.spans.length;
        for (const w of sampled) await w.add(traceBatch, logBatch);
      }
      if (Math.floor(spans / 100_000) > Math.floor(before / 100_000)) process.stderr.write(`\r${spans} spans`);
    }
    for (const w of [...full, ...sampled]) await w.flush();
    process.stderr.write('\n');
    return { spans, logs, sampledSpans, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const w of [...full, ...sampled]) await w.store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      spans: { type: 'string', default: '1000000' },
      tenants: { type: 'string', default: '50' },
      hours: { type: 'string', default: '24' },
      out: { type: 'string', multiple: true, default: ['stitch-bench.duckdb'] },
      'sample-out': { type: 'string', multiple: true, default: [] },
      'sample-every': { type: 'string', default: '10' },
      seed: { type: 'string', default: '42' },
    },
  });
  const r = await generateStores({
    out: values.out,
    sampleOut: values['sample-out'],
    sampleEvery: Number(values['sample-every']),
    spans: Number(values.spans),
    tenants: Number(values.tenants),
    hours: Number(values.hours),
    seed: Number(values.seed),
  });
  console.log(`wrote ${r.spans} spans and ${r.logs} logs across ${values.tenants} tenants to ${values.out.join(', ')} in ${r.seconds.toFixed(1)} s`);
  if (values['sample-out'].length > 0) console.log(`and every ${values['sample-every']}th trace (${r.sampledSpans} spans) to ${values['sample-out'].join(', ')}`);
}
