/**
 * Collector ingest throughput: spans/s through `POST /v1/traces`, batches of 512 spans (the
 * OTel batch processor's default export size), side by side in one run:
 *
 *   protobuf       application/x-protobuf, identity encoding (what the -proto exporters send)
 *   protobuf-gzip  the same bodies gzip-compressed
 *   json           application/json (OTLP/JSON mapping, what the -http exporters send)
 *
 * Method. One collector (in this process, port 0, fresh DuckDB file in a temp dir); bodies are
 * encoded before timing. Each round sends BATCHES batches per variant with CONCURRENCY requests
 * in flight, in an order rotated each round; a 200 means the batch was committed (fsynced WAL),
 * so this is durable throughput. Prints the median spans/s per variant and the ratio to protobuf,
 * and the median spans per CPU-second of this process (server, DuckDB and client together),
 * which moves less than wall time when other work shares the two cores.
 *
 * Then the API during one large request (issue 15): one protobuf body of BENCH_LARGE_SPANS
 * (250k) tiny spans, 13.5 MB, then one OTLP/JSON body of 90k (14.7 MB), is posted while two
 * clients ask, one after another, `GET /healthz` and an authenticated `GET /api/traces/:id` of
 * a small trace; prints their latency percentiles while the body is in flight (upload, decode,
 * store, commit) beside the same with no ingest, the event loop's delay
 * (perf_hooks.monitorEventLoopDelay) and V8's full GC pauses meanwhile. The target: p99 of
 * both under 200 ms. Clients share this process's event loop with the collector, so their own
 * turn is in the figures (an outside client would see less); BENCH_SHORT=1 uses 50k spans.
 *
 * Run: `npm run bench -- collector-ingest` (env BENCH_ROUNDS, BENCH_BATCHES, BENCH_LARGE_SPANS;
 * BENCH_STORE=chdb stores into ClickHouse through chdb instead of DuckDB).
 */
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { resolveCollectorConfig } from '../packages/collector/src/config/collector-config.js';
import { largeTracesBody, largeTracesJsonBody } from '../packages/collector/src/internal/large-traces-body.js';
import { newTraceId, tracesRequest } from '../packages/collector/src/internal/otlp-json-builder.js';
import { createRng, syntheticTrace, tenantIds } from '../packages/collector/src/internal/synthetic-workload.js';
import { TracesRequest } from '../packages/collector/src/otlp/decode.js';
import { startCollector } from '../packages/collector/src/server/create-collector.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 60);
const BATCH_SPANS = 512;
const CONCURRENCY = 4;

type Body = { body: Buffer; headers: Record<string, string> };

function buildBatches(count: number): { json: object[]; spans: number } {
  const rng = createRng(7);
  const tenants = tenantIds(50);
  const out: object[] = [];
  for (let b = 0; b < count; b++) {
    const spans = [];
    while (spans.length < BATCH_SPANS) spans.push(...syntheticTrace(rng, tenants[Math.floor(rng() * 50)]!, Date.now() - 60_000).spans);
    out.push(tracesRequest('bench', spans.slice(0, BATCH_SPANS)));
  }
  return { json: out, spans: BATCH_SPANS };
}

function toProtobuf(json: object): Buffer {
  // OTLP/JSON carries ids as hex; protobufjs' fromObject wants base64 for bytes fields.
  const copy = JSON.parse(JSON.stringify(json)) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  for (const rs of copy.resourceSpans)
    for (const ss of rs.scopeSpans)
      for (const s of ss.spans) {
        for (const k of ['traceId', 'spanId', 'parentSpanId']) if (typeof s[k] === 'string') s[k] = Buffer.from(s[k] as string, 'hex').toString('base64');
        for (const l of (s.links as Record<string, string>[]) ?? []) {
          l.traceId = Buffer.from(l.traceId!, 'hex').toString('base64');
          l.spanId = Buffer.from(l.spanId!, 'hex').toString('base64');
        }
      }
  return Buffer.from(TracesRequest.encode(TracesRequest.fromObject(copy)).finish());
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const LARGE_SPANS = Number(process.env.BENCH_LARGE_SPANS ?? (process.env.BENCH_SHORT ? 50_000 : 250_000));

function percentiles(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number): string => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(1);
  return `n=${String(sorted.length).padStart(4)}  p50 ${at(0.5).padStart(6)}  p95 ${at(0.95).padStart(6)}  p99 ${at(0.99).padStart(6)}  max ${(sorted.at(-1) ?? NaN).toFixed(1).padStart(6)} ms`;
}

/** Asks `url` one request after another until `until()`, returning each answer's latency in ms. */
async function askUntil(url: string, headers: Record<string, string>, until: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  while (!until()) {
    const started = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/** API latency while one large body is ingested, against the same with nothing ingested. */
async function apiDuringLargeIngest(c: Awaited<ReturnType<typeof startCollector>>, encoding: 'protobuf' | 'json'): Promise<void> {
  const tenant = '7f7f7f7f-0000-4000-8000-00000000007f';
  const traceId = newTraceId();
  const small = tracesRequest('bench', [{ traceId, name: 'GET /x', startMillis: Date.now(), durationMillis: 3, attributes: { 'tenant.id': tenant } }]);
  await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(small) });
  const auth = { authorization: `Bearer ${c.tokens.create({ scopes: ['traces:read'], tenantId: tenant }).token}` };
  const ask = (until: () => boolean) =>
    Promise.all([askUntil(`${c.url}/healthz`, {}, until), askUntil(`${c.url}/api/traces/${traceId}`, auth, until)]);

  const idleUntil = performance.now() + 2000;
  const [idleHealth, idleTrace] = await ask(() => performance.now() > idleUntil);

  // The JSON body of the same span count would be over maxBodyBytes: as many as 16 MiB holds.
  const spans = encoding === 'json' ? Math.min(LARGE_SPANS, 90_000) : LARGE_SPANS;
  const body = encoding === 'json' ? largeTracesJsonBody(spans, tenant) : largeTracesBody(spans, tenant);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  // V8's full (mark-compact) collections meanwhile: the pauses slicing cannot split.
  const majorGcMillis: number[] = [];
  const gcs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) majorGcMillis.push(entry.duration);
  });
  gcs.observe({ entryTypes: ['gc'] });
  let done = false;
  const started = performance.now();
  const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  const ingest = fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body }).then(async (res) => {
    await res.arrayBuffer();
    done = true;
    if (res.status !== 200) throw new Error(`large ingest answered ${res.status}`);
    return performance.now() - started;
  });
  const [busyHealth, busyTrace] = await ask(() => done);
  const ingestMs = await ingest;
  delay.disable();
  gcs.disconnect();

  console.log(`\nAPI during one ${spans}-span ${encoding} body (${(body.length / 1e6).toFixed(1)} MB), answered in ${(ingestMs / 1000).toFixed(1)} s (${Math.round(spans / (ingestMs / 1000))} spans/s)`);
  console.log(`GET /healthz           idle   ${percentiles(idleHealth)}`);
  console.log(`GET /healthz           ingest ${percentiles(busyHealth)}`);
  console.log(`GET /api/traces/:id    idle   ${percentiles(idleTrace)}`);
  console.log(`GET /api/traces/:id    ingest ${percentiles(busyTrace)}`);
  console.log(`event-loop delay       ingest p50 ${(delay.percentile(50) / 1e6).toFixed(1)}  p99 ${(delay.percentile(99) / 1e6).toFixed(1)}  max ${(delay.max / 1e6).toFixed(1)} ms`);
  console.log(`full GCs               ingest n=${majorGcMillis.length}  total ${majorGcMillis.reduce((a, b) => a + b, 0).toFixed(0)}  max ${Math.max(0, ...majorGcMillis).toFixed(0)} ms`);
}

const dir = mkdtempSync(join(tmpdir(), 'stitch-ingest-bench-'));
// BENCH_STORE=chdb: the same run into ClickHouse (chdb, in process, the exporter's tables).
const store = process.env.BENCH_STORE === 'chdb' ? `chdb://${join(dir, 'chdb')}` : undefined;
const collector = await startCollector(resolveCollectorConfig({ port: 0, grpcPort: 'off', data: join(dir, 'bench.duckdb'), store, retention: { checkIntervalSeconds: 3600 } }));
try {
  const { json } = buildBatches(BATCHES);
  const variants: Record<string, Body[]> = {
    protobuf: json.map((j) => ({ body: toProtobuf(j), headers: { 'content-type': 'application/x-protobuf' } })),
    'protobuf-gzip': json.map((j) => ({ body: gzipSync(toProtobuf(j)), headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' } })),
    json: json.map((j) => ({ body: Buffer.from(JSON.stringify(j)), headers: { 'content-type': 'application/json' } })),
  };
  const names = Object.keys(variants);
  const results: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const perCpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  let lastCpuSpansPerSecond = 0;
  const send = async (bodies: Body[]): Promise<number> => {
    let next = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const b = bodies[next++]!;
          const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: b.headers, body: b.body });
          if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
          await res.arrayBuffer();
        }
      }),
    );
    const cpu = process.cpuUsage(cpuBefore);
    lastCpuSpansPerSecond = (bodies.length * BATCH_SPANS) / ((cpu.user + cpu.system) / 1e6);
    return (bodies.length * BATCH_SPANS) / ((performance.now() - started) / 1000);
  };
  await send(variants.protobuf!.slice(0, 10)); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      results[name]!.push(await send(variants[name]!));
      perCpu[name]!.push(lastCpuSpansPerSecond);
    }
  }
  const base = median(results.protobuf!);
  console.log(`collector ingest, ${BATCH_SPANS} spans per request, ${CONCURRENCY} in flight, ${BATCHES} requests x ${ROUNDS} rounds`);
  for (const name of names) {
    const m = median(results[name]!);
    const c = median(perCpu[name]!);
    console.log(`${name.padEnd(14)} ${Math.round(m).toString().padStart(8)} spans/s (median)  x${(m / base).toFixed(2)}  ${Math.round(c).toString().padStart(8)} spans per CPU-second`);
  }
  await apiDuringLargeIngest(collector, 'protobuf');
  await apiDuringLargeIngest(collector, 'json');
} finally {
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
}
