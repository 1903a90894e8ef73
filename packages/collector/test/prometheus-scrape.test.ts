import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest } from '../src/internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../src/internal/test-collector.js';

/**
 * The collector's metrics and alert rules as Prometheus meets them: Debian's `promtool` checks
 * and unit-tests the shipped rules, and a real `prometheus` (on a free loopback port, with its
 * own temp storage) scrapes a real collector with an admin token and answers PromQL queries.
 */
const alerts = fileURLToPath(new URL('../alerts/', import.meta.url));
const TENANT = '11111111-1111-4111-8111-111111111111';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMillis = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the collector’s alert rules', () => {
  it('pass `promtool check rules` and their unit tests in `promtool test rules`', () => {
    const check = spawnSync('promtool', ['check', 'rules', 'stitch-collector.rules.yml'], { cwd: alerts, encoding: 'utf8' });
    expect(check.status, check.stderr + check.stdout).toBe(0);
    expect(check.stdout).toContain('SUCCESS: 7 rules found');
    const test = spawnSync('promtool', ['test', 'rules', 'stitch-collector.rules.test.yml'], { cwd: alerts, encoding: 'utf8' });
    expect(test.status, test.stderr + test.stdout).toBe(0);
  });
});

describe('a real Prometheus scraping the collector', () => {
  let c: TestCollector;
  let prometheus: ChildProcess;
  let dir: string;
  let promUrl: string;

  async function promQuery(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
    return body.data.result;
  }

  beforeAll(async () => {
    c = await startTestCollector();
    dir = mkdtempSync(join(tmpdir(), 'stitch-prometheus-'));
    writeFileSync(join(dir, 'token'), c.token('admin'));
    const target = new URL(c.url).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ['${join(alerts, 'stitch-collector.rules.yml')}']`,
        'scrape_configs:',
        '  - job_name: stitch-collector',
        '    metrics_path: /metrics',
        `    authorization: { credentials_file: '${join(dir, 'token')}' }`,
        `    static_configs: [{ targets: ['${target}'] }]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    await eventually('prometheus to be ready', async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined));
  }, 60_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads ingest counts, refusals by reason and readiness back through PromQL, and sees readiness flip', async () => {
    const traceId = newTraceId();
    const body = tracesRequest(
      'svc',
      Array.from({ length: 5 }, (_, i) => ({ traceId, spanId: newSpanId(), name: `op ${i}`, kind: 2, startMillis: Date.now() - 20, durationMillis: 3, attributes: { 'stitch.tenant.id': TENANT } })),
    );
    expect((await postOtlpJson(c.url, 'traces', body)).status).toBe(200);
    const refused = await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(refused.status).toBe(415);

    const up = await eventually('the collector target to be up', async () => {
      const r = await promQuery('up{job="stitch-collector"}');
      return r[0]?.value[1] === '1' ? r : undefined;
    });
    expect(up).toHaveLength(1);
    await eventually('5 spans in stitch_collector_ingest_spans_total', async () => {
      const r = await promQuery('stitch_collector_ingest_spans_total');
      return r[0]?.value[1] === '5' ? true : undefined;
    });
    const refusals = await eventually('the 415 refusal', async () => {
      const r = await promQuery('stitch_collector_ingest_refused_requests_total');
      return r.length > 0 ? r : undefined;
    });
    expect(refusals.map((r) => [r.metric.status, r.metric.reason, r.value[1]])).toEqual([['415', 'STITCH_ERR_COLLECTOR_UNSUPPORTED_MEDIA_TYPE', '1']]);
    await eventually('ready = 1', async () => ((await promQuery('stitch_collector_ready{check="all"}'))[0]?.value[1] === '1' ? true : undefined));

    // The store goes away under the collector: the scrape still succeeds and readiness flips.
    await c.store.close();
    const notReady = await eventually('ready = 0', async () => {
      const r = await promQuery('stitch_collector_ready{check="store"}');
      return r[0]?.value[1] === '0' ? r : undefined;
    });
    expect(notReady).toHaveLength(1);
    expect((await promQuery('up{job="stitch-collector"}'))[0]?.value[1]).toBe('1');
  }, 60_000);
});
