import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largeTracesBody } from '../internal/large-traces-body.js';
import { Store } from '../store/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const TENANT = '8a8a8a8a-0000-4000-8000-00000000008a';
const BODIES = 40;
// 3.2 MB each: the shape of the 250k-span body, small enough for a 2-core CI.
const SPANS = 60_000;
const MiB = 1024 * 1024;
const LIMITS = { maxBodyBytes: 4 * MiB, maxInflightBytes: 16 * MiB, maxInflightRequests: 64, maxInflightPerSender: 64, memoryLimit: '64MB' };
const STORE_MEMORY = 64 * MiB;

/** The kernel's figures for a process: resident now and its high-water mark (Linux /proc). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

let dir: string;
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stitch-memory-'));
  writeFileSync(join(dir, 'stitch.yaml'), `collector:\n${Object.entries(LIMITS).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
  const tsx = createRequire(import.meta.url).resolve('tsx');
  // Its own process, so its memory is the collector's alone (not this test's bodies and client).
  child = spawn(
    process.execPath,
    ['--conditions=source', '--import', tsx, join(here, '..', 'cli', 'main.ts'), 'serve', '--port', '0', '--grpc-port', 'off', '--data', join(dir, 'store.duckdb'), '--config', join(dir, 'stitch.yaml')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /receiving OTLP\/HTTP on (http:\/\/\S+)\/v1\/traces/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
});
afterAll(() => {
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe(`${BODIES} large bodies at once (issue 15)`, () => {
  it('admits what maxInflightBytes allows and refuses the rest with 429 + Retry-After, stores every admitted body whole, and the collector’s RSS stays under its bound', async () => {
    const bodies = Array.from({ length: BODIES }, (_, i) => largeTracesBody(SPANS, TENANT, `bulk-${i}`));
    // One small request first, so the baseline includes a collector that has ingested once.
    const warm = largeTracesBody(100, TENANT, 'warm-up');
    expect((await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: warm })).status).toBe(200);
    const before = memoryOf(child.pid!);

    const answers = await Promise.all(
      bodies.map(async (body) => {
        const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
        await res.arrayBuffer();
        return { status: res.status, retryAfter: res.headers.get('retry-after') };
      }),
    );
    const after = memoryOf(child.pid!);
    const grew = after.peak - Math.max(before.rss, 0);
    console.log(`admitted ${answers.filter((a) => a.status === 200).length} of ${BODIES}; collector RSS ${(before.rss / MiB).toFixed(0)} MiB before, peak ${(after.peak / MiB).toFixed(0)} MiB (+${(grew / MiB).toFixed(0)})`);

    // What ingest may hold at once, by configuration: the admitted bodies (maxInflightBytes),
    // then at most two bodies in process, one decoding (large bodies one at a time,
    // ingest/large-body-gate.ts) and one being stored (the write queue refuses a second), each
    // ≈40× its size at the peak (rows ~10×, DuckDB's open transaction and V8's headroom the rest;
    // measured +383 MiB here), counted as 50× maxBodyBytes; and the store's own memory
    // (memoryLimit). Without admission before reading and one-at-a-time decoding, the same 40
    // bodies took this collector 3 GB.
    const bound = STORE_MEMORY + LIMITS.maxInflightBytes + 2 * 50 * LIMITS.maxBodyBytes;
    expect(grew).toBeLessThan(bound);

    const admitted = answers.flatMap((a, i) => (a.status === 200 ? [i] : []));
    const refused = answers.filter((a) => a.status === 429);
    expect(admitted.length + refused.length).toBe(BODIES);
    expect(admitted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => Number(a.retryAfter) > 0)).toBe(true);

    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    const store = await Store.open({ path: join(dir, 'store.duckdb') });
    try {
      const rows = await store.query(`SELECT service, count(*)::INTEGER AS n FROM spans WHERE service LIKE 'bulk-%' GROUP BY service`);
      const stored = new Map(rows.map((r) => [r.service, r.n]));
      // Nothing acknowledged lost, nothing refused half-stored.
      for (let i = 0; i < BODIES; i++) expect(stored.get(`bulk-${i}`) ?? 0).toBe(admitted.includes(i) ? SPANS : 0);
    } finally {
      await store.close();
    }
  }, 120_000);
});
