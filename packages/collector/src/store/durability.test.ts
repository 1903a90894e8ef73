import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector } from '../internal/test-collector.js';
import { Store } from './store.js';

const here = dirname(fileURLToPath(import.meta.url));

function batch(traceId: string, n: number): object {
  return tracesRequest('svc', Array.from({ length: n }, (_, i) => ({ traceId, name: `op ${i}`, startMillis: Date.now(), durationMillis: 1 })));
}

describe('durability', () => {
  it('keeps everything across a clean restart on the same data file', async () => {
    const first = await startTestCollector();
    const traceId = newTraceId();
    expect((await postOtlpJson(first.url, 'traces', batch(traceId, 3))).status).toBe(200);
    const data = first.config.data;
    await first.close();
    const again = await startTestCollector({ data });
    try {
      const rows = await again.store.query(`SELECT count(*) AS n FROM spans WHERE trace_id = $1`, [traceId]);
      expect(Number(rows[0]!.n)).toBe(3);
    } finally {
      await again.stop();
      rmSync(first.dir, { recursive: true, force: true });
    }
  });

  it('loses nothing it acknowledged when `stitch serve` is killed with SIGKILL mid-ingest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stitch-kill-'));
    const data = join(dir, 'store.duckdb');
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, join(here, '..', 'cli', 'main.ts'), 'serve', '--port', '0', '--data', data], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /receiving OTLP\/HTTP on (http:\/\/\S+)\/v1\/traces/.exec(err);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
      });
      const acknowledged: string[] = [];
      let firstAcknowledged!: () => void;
      const someAcknowledged = new Promise<void>((resolve) => (firstAcknowledged = resolve));
      // Keep requests in flight while the process dies; only the 200s are promised to survive.
      const inflight: Promise<void>[] = [];
      for (let i = 0; i < 40; i++) {
        const traceId = newTraceId();
        inflight.push(
          postOtlpJson(url, 'traces', batch(traceId, 20))
            .then((res) => {
              if (res.status !== 200) return;
              acknowledged.push(traceId);
              firstAcknowledged();
            })
            .catch(() => undefined),
        );
        // Killed once something was acknowledged (a 429 from the per-sender limit may come first).
        if (i === 25) {
          await Promise.race([someAcknowledged, Promise.all(inflight)]);
          child.kill('SIGKILL');
        }
      }
      await Promise.all(inflight);
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
      expect(acknowledged.length).toBeGreaterThan(0);
      const store = await Store.open({ path: data });
      try {
        const rows = await store.query(`SELECT trace_id, count(*) AS n FROM spans GROUP BY trace_id`);
        const stored = new Map(rows.map((r) => [String(r.trace_id), Number(r.n)]));
        for (const traceId of acknowledged) expect(stored.get(traceId)).toBe(20);
        // A batch is one transaction: never half-stored.
        for (const n of stored.values()) expect(n).toBe(20);
      } finally {
        await store.close();
      }
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
