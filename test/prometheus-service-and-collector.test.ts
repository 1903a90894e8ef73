import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../packages/collector/src/internal/test-collector.js';
import { stitchRequestListener } from '../packages/kernel/src/hops/edge/node-http.js';
import { createMetrics, type StitchMetrics } from '../packages/kernel/src/pipeline/metrics/index.js';
import { createStitch, type Stitch } from '../packages/kernel/src/setup/create-stitch.js';
import { eventually, startPrometheus, type PromSeries, type RealPrometheus } from './helpers/prometheus.js';

/**
 * What an operator runs: one real Prometheus (Debian's package) whose one scrape config has both
 * the Stitch-instrumented service and the collector it exports to, with both shipped rule files.
 * The service's spans travel to the collector over OTLP, so the two jobs' series must agree:
 * what the service counts as exported, the collector counts as committed.
 */
const serviceRules = fileURLToPath(new URL('../packages/kernel/alerts/stitch-service.rules.yml', import.meta.url));
const collectorRules = fileURLToPath(new URL('../packages/collector/alerts/stitch-collector.rules.yml', import.meta.url));

describe('one Prometheus scraping the service and the collector', () => {
  let collector: TestCollector;
  let stitch: Stitch;
  let metrics: StitchMetrics;
  let service: Server;
  let serviceUrl: string;
  let prometheus: RealPrometheus;
  let dir: string;
  const promQuery = (query: string): Promise<PromSeries[]> => prometheus.query(query);
  const single = async (query: string): Promise<string | undefined> => (await promQuery(query))[0]?.value[1];

  beforeAll(async () => {
    collector = await startTestCollector();
    stitch = createStitch({ env: { OTEL_SERVICE_NAME: 'scraped-with-collector', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, STITCH_LOG_LEVEL: 'silent' } });
    metrics = createMetrics({ stitch });
    const metricsPort = (await metrics.listen({ port: 0 })).port;
    service = createServer(stitchRequestListener((_req, res) => res.end('ok'), { routes: ['/orders/:id'] }));
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;

    dir = mkdtempSync(join(tmpdir(), 'stitch-prometheus-both-'));
    writeFileSync(join(dir, 'token'), collector.token('admin'));
    prometheus = await startPrometheus({
      dir,
      scrapes: [
        { job: 'stitch-service', target: `127.0.0.1:${metricsPort}` },
        { job: 'stitch-collector', target: new URL(collector.url).host, credentialsFile: join(dir, 'token') },
      ],
      ruleFiles: [serviceRules, collectorRules],
    });
  }, 60_000);

  afterAll(async () => {
    prometheus?.stop();
    await metrics?.close();
    service?.closeAllConnections();
    await new Promise((resolve) => service?.close(resolve));
    await stitch?.shutdown();
    await collector?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads both jobs back through PromQL: the service’s requests and exported spans, the collector’s committed spans, equal', async () => {
    for (let i = 1; i <= 5; i += 1) await (await fetch(`${serviceUrl}/orders/${i}`)).text();
    await stitch.flush();

    const up = await eventually('both targets up', async () => {
      const r = await promQuery('up == 1');
      return r.length === 2 ? r : undefined;
    });
    expect(up.map((r) => r.metric.job).sort()).toEqual(['stitch-collector', 'stitch-service']);

    await eventually('5 requests on /orders/:id', async () =>
      (await single('sum(http_server_request_duration_seconds_count{job="stitch-service",http_route="/orders/:id"})')) === '5' ? true : undefined,
    );
    // One scrape of each can land between an export and its commit: wait until they agree.
    const [exported, committed] = await eventually('the collector to have committed what the service exported', async () => {
      const e = await single('stitch_export_spans_total{job="stitch-service",outcome="exported"}');
      const c = await single('stitch_collector_ingest_spans_total{job="stitch-collector"}');
      return e !== undefined && Number(e) >= 5 && e === c ? [e, c] : undefined;
    });
    expect(Number(committed)).toBe(Number(exported));

    // Both rule files loaded side by side in the one Prometheus.
    const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: { file: string }[] } };
    expect(new Set(rules.data.groups.map((g) => g.file))).toEqual(new Set([serviceRules, collectorRules]));
  }, 60_000);
});
