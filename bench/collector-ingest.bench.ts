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
 * Run: `npm run bench -- collector-ingest` (env BENCH_ROUNDS, BENCH_BATCHES).
 */
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { resolveCollectorConfig } from '../packages/collector/src/config/collector-config.js';
import { tracesRequest } from '../packages/collector/src/internal/otlp-json-builder.js';
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

const dir = mkdtempSync(join(tmpdir(), 'stitch-ingest-bench-'));
const collector = await startCollector(resolveCollectorConfig({ port: 0, data: join(dir, 'bench.duckdb'), retention: { checkIntervalSeconds: 3600 } }));
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
} finally {
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
}
