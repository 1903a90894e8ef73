import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stitchRequestListener } from '../src/hops/edge/node-http.js';
import { createMetrics, type StitchMetrics } from '../src/pipeline/metrics/index.js';
import { createHealth, type StitchHealth } from '../src/setup/health/index.js';
import { createStitch, type Stitch } from '../src/setup/create-stitch.js';
import { eventually, startPrometheus, type PromSeries, type RealPrometheus } from '../../../test/helpers/prometheus.js';

/**
 * The kernel's metrics and service alert rules as Prometheus meets them: Debian's `promtool`
 * checks and unit-tests the shipped rules, and a real `prometheus` (on a free loopback port,
 * with its own temp storage) scrapes a small kernel-instrumented service and answers PromQL.
 */
const alerts = fileURLToPath(new URL('../alerts/', import.meta.url));

describe('the service alert rules', () => {
  it('pass `promtool check rules` and their unit tests in `promtool test rules`', () => {
    const check = spawnSync('promtool', ['check', 'rules', 'stitch-service.rules.yml'], { cwd: alerts, encoding: 'utf8' });
    expect(check.status, check.stderr + check.stdout).toBe(0);
    expect(check.stdout).toContain('SUCCESS: 10 rules found');
    const test = spawnSync('promtool', ['test', 'rules', 'stitch-service.rules.test.yml'], { cwd: alerts, encoding: 'utf8' });
    expect(test.status, test.stderr + test.stdout).toBe(0);
  });
});

describe('a real Prometheus scraping a kernel-instrumented service', () => {
  let stitch: Stitch;
  let metrics: StitchMetrics;
  let health: StitchHealth;
  let service: Server;
  let serviceUrl: string;
  let prometheus: RealPrometheus;
  let dir: string;
  let dependencyUp = true;
  const promQuery = (query: string): Promise<PromSeries[]> => prometheus.query(query);

  beforeAll(async () => {
    stitch = createStitch({ env: { OTEL_SERVICE_NAME: 'scraped', STITCH_LOG_LEVEL: 'silent', OTEL_TRACES_EXPORTER: 'none' } });
    health = createHealth({ checks: [{ name: 'dependency', check: () => (dependencyUp ? undefined : 'the dependency is down') }] });
    // Two route templates get a series; the third folds into `other`.
    metrics = createMetrics({ stitch, health, bounds: { routes: 2 } });
    const metricsPort = (await metrics.listen({ port: 0 })).port;
    service = createServer(stitchRequestListener((_req, res) => res.end('ok'), { routes: ['/orders/:id', '/invoices/:id', '/refunds/:id'] }));
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;

    dir = mkdtempSync(join(tmpdir(), 'stitch-kernel-prometheus-'));
    prometheus = await startPrometheus({ dir, job: 'stitch-service', target: `127.0.0.1:${metricsPort}`, ruleFile: join(alerts, 'stitch-service.rules.yml') });
  }, 60_000);

  afterAll(async () => {
    prometheus?.stop();
    await metrics?.close();
    health?.close();
    service?.closeAllConnections();
    await new Promise((resolve) => service?.close(resolve));
    await stitch?.shutdown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads request counts per route template back through PromQL, a folded other route with its fold counted, and sees readiness flip', async () => {
    for (const path of ['/orders/1', '/orders/2', '/orders/3', '/invoices/9', '/refunds/4', '/refunds/5']) await (await fetch(`${serviceUrl}${path}`)).text();

    await eventually('the service target to be up', async () => ((await promQuery('up{job="stitch-service"}'))[0]?.value[1] === '1' ? true : undefined));
    const routes = await eventually('the three route series', async () => {
      const r = await promQuery('sum by (http_route) (http_server_request_duration_seconds_count{job="stitch-service"})');
      return r.length === 3 ? r : undefined;
    });
    expect(Object.fromEntries(routes.map((r) => [r.metric.http_route, r.value[1]]))).toEqual({ '/orders/:id': '3', '/invoices/:id': '1', other: '2' });
    const folds = await promQuery('stitch_metrics_label_folds_total{job="stitch-service"}');
    expect(folds.map((r) => [r.metric.metric, r.metric.label, r.value[1]])).toEqual([['http_server_request_duration_seconds', 'http_route', '2']]);
    await eventually('ready = 1', async () => ((await promQuery('stitch_ready{check="all"}'))[0]?.value[1] === '1' ? true : undefined));

    dependencyUp = false;
    const notReady = await eventually('ready = 0', async () => {
      const r = await promQuery('stitch_ready{check="dependency"}');
      return r[0]?.value[1] === '0' ? r : undefined;
    });
    expect(notReady).toHaveLength(1);
    expect((await promQuery('stitch_ready{check="all"}'))[0]?.value[1]).toBe('0');
    expect((await promQuery('up{job="stitch-service"}'))[0]?.value[1]).toBe('1');
  }, 60_000);
});
