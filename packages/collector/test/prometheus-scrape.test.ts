import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest } from '../src/internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../src/internal/test-collector.js';
import { eventually, startPrometheus, type PromSeries, type RealPrometheus } from '../../../test/helpers/prometheus.js';

/**
 * The collector's metrics and alert rules as Prometheus meets them: Debian's `promtool` checks
 * and unit-tests the shipped rules, and a real `prometheus` (on a free loopback port, with its
 * own temp storage) scrapes a real collector with an admin token and answers PromQL queries.
 */
const alerts = fileURLToPath(new URL('../alerts/', import.meta.url));
const TENANT = '11111111-1111-4111-8111-111111111111';

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
  let prometheus: RealPrometheus;
  let dir: string;
  const promQuery = (query: string): Promise<PromSeries[]> => prometheus.query(query);

  beforeAll(async () => {
    c = await startTestCollector();
    dir = mkdtempSync(join(tmpdir(), 'stitch-prometheus-'));
    writeFileSync(join(dir, 'token'), c.token('admin'));
    prometheus = await startPrometheus({
      dir,
      job: 'stitch-collector',
      target: new URL(c.url).host,
      ruleFile: join(alerts, 'stitch-collector.rules.yml'),
      credentialsFile: join(dir, 'token'),
    });
  }, 60_000);

  afterAll(async () => {
    prometheus?.stop();
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
