import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '@stitch/contract';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StitchError } from '../../core/errors/stitch-error.js';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import { stitchRequestListener } from '../../hops/edge/node-http.js';
import { createStitch } from '../../setup/create-stitch.js';
import { createMetrics } from './create-metrics.js';
import type { StitchMetrics } from './create-metrics.js';
import { METRICS } from './metric-catalogue.js';

// Head sampling off: nothing is exported unless the tail keeps it, yet metrics must count it all.
const exporter = new InMemorySpanExporter();
const stitch = createStitch({
  env: { OTEL_SERVICE_NAME: 'metrics-test', STITCH_LOG_LEVEL: 'silent', OTEL_TRACES_SAMPLER: 'parentbased_always_off', OTEL_TRACES_EXPORTER: 'none' },
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const servers: Server[] = [];
let metrics: StitchMetrics | undefined;
afterEach(async () => {
  await metrics?.close();
  metrics = undefined;
});
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await stitch.shutdown();
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Series of one metric, as the registry holds them (a histogram's `_count` samples: one per label set). */
async function series(m: StitchMetrics, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const values = (metric?.values ?? []) as { labels: Record<string, string | number>; value: number; metricName?: string }[];
  return values.filter((v) => String(metric?.type) !== 'histogram' || v.metricName === `${name}_count`).map(({ labels, value }) => ({ labels, value }));
}

function endSpan(name: string, kind: SpanKind, attributes: Record<string, string | number>): void {
  getKernelTracer().startSpan(name, { kind, attributes, root: true }).end();
}

describe('createMetrics()', () => {
  it('counts every request by route template, method and status class, unsampled ones too, and never names the raw URL', async () => {
    metrics = createMetrics({ stitch });
    const url = await listen(
      createServer(
        stitchRequestListener(
          (req, res) => {
            res.statusCode = req.url === '/orders/3' ? 500 : 200;
            res.end('ok');
          },
          { routes: ['/orders/:id'] },
        ),
      ),
    );
    exporter.reset();
    for (const path of ['/orders/1', '/orders/2', '/orders/3', '/no/such/route']) await (await fetch(`${url}${path}`)).text();
    // The head sampled none; the tail kept only the 500: metrics are not the exported spans.
    expect(exporter.getFinishedSpans().length).toBeLessThan(4);
    const counts = (await series(metrics, 'http_server_request_duration_seconds')).map((s) => [s.labels.http_route, s.labels.http_request_method, s.labels.http_response_status_class, s.value]);
    expect(counts).toEqual(
      expect.arrayContaining([
        ['/orders/:id', 'GET', '2xx', 2],
        ['/orders/:id', 'GET', '5xx', 1],
        ['unmatched', 'GET', '2xx', 1],
      ]),
    );
    expect(counts).toHaveLength(3);
    const { body, contentType } = await metrics.exposition();
    expect(contentType).toContain('text/plain');
    expect(body).toContain('http_server_request_duration_seconds_bucket{le="0.005",http_route="/orders/:id"');
    expect(body).not.toContain('/orders/1');
  });

  it('keeps the series bounded with 100,000 distinct user ids, URLs, tenants, query names and hosts, folding the rest into other and counting the folds', async () => {
    const bounds = { routes: 20, queries: 10, hosts: 5 };
    metrics = createMetrics({ stitch, bounds, tenants: { top: 3 } });
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      // A router that names the route by its URL, the mistake the guard exists for.
      endSpan(`GET /users/${i}`, SpanKind.SERVER, {
        [SpanAttr.component]: 'route',
        [SpanAttr.routeId]: `/users/${i}/profile`,
        [SpanAttr.actorId]: `user-${i}`,
        [SpanAttr.tenantId]: `tenant-${i}`,
        'http.request.method': 'GET',
        'http.response.status_code': 200,
      });
      endSpan('query', SpanKind.CLIENT, { [SpanAttr.component]: 'query', [SpanAttr.queryName]: `q-${i}` });
      endSpan('HTTP GET', SpanKind.CLIENT, { [SpanAttr.component]: 'external', 'server.address': `h${i}.example.com`, 'http.request.method': 'GET' });
    }
    const server = await series(metrics, 'http_server_request_duration_seconds');
    expect(server.length).toBeLessThanOrEqual((bounds.routes + 1) * (3 + 1));
    expect(new Set(server.map((s) => s.labels.http_route)).size).toBe(bounds.routes + 1);
    expect(new Set(server.map((s) => s.labels.tenant_id))).toEqual(new Set(['tenant-0', 'tenant-1', 'tenant-2', 'other']));
    expect(server.reduce((sum, s) => sum + s.value, 0)).toBe(N);
    expect((await series(metrics, 'db_client_operation_duration_seconds')).length).toBe(bounds.queries + 1);
    expect((await series(metrics, 'http_client_request_duration_seconds')).length).toBe(bounds.hosts + 1);
    const folds = (await series(metrics, 'stitch_metrics_label_folds_total')).map((s) => [s.labels.metric, s.labels.label, s.value]);
    expect(folds).toEqual(
      expect.arrayContaining([
        ['http_server_request_duration_seconds', 'http_route', N - bounds.routes],
        ['http_server_request_duration_seconds', 'tenant_id', N - 3],
        ['db_client_operation_duration_seconds', 'db_query_name', N - bounds.queries],
        ['http_client_request_duration_seconds', 'server_address', N - bounds.hosts],
      ]),
    );
    const { body } = await metrics.exposition();
    expect(body).not.toContain('user-');
    expect(body.split('\n').length).toBeLessThan(5_000);
  }, 60_000);

  it('reads the status and method of a server span written in the older HTTP conventions (instrumentation-http’s default)', async () => {
    metrics = createMetrics({ stitch });
    endSpan('GET', SpanKind.SERVER, { [SpanAttr.component]: 'route', [SpanAttr.routeId]: '/a/:id', 'http.method': 'GET', 'http.status_code': 404 });
    expect((await series(metrics, 'http_server_request_duration_seconds')).map((s) => s.labels)).toEqual([{ http_route: '/a/:id', http_request_method: 'GET', http_response_status_class: '4xx' }]);
  });

  it('leaves the tenant out unless enabled, and with an allowlist gives only the named tenants a series', async () => {
    metrics = createMetrics({ stitch });
    endSpan('GET', SpanKind.SERVER, { [SpanAttr.component]: 'route', [SpanAttr.routeId]: '/a', [SpanAttr.tenantId]: 'acme' });
    expect((await series(metrics, 'http_server_request_duration_seconds'))[0]?.labels).not.toHaveProperty('tenant_id');
    await metrics.close();
    metrics = createMetrics({ stitch, tenants: { allow: ['acme'] } });
    for (const tenant of ['acme', 'globex', 'initech']) endSpan('GET', SpanKind.SERVER, { [SpanAttr.component]: 'route', [SpanAttr.routeId]: '/a', [SpanAttr.tenantId]: tenant });
    expect((await series(metrics, 'http_server_request_duration_seconds')).map((s) => [s.labels.tenant_id, s.value]).sort()).toEqual([
      ['acme', 1],
      ['other', 2],
    ]);
  });

  it('reads job, event and webhook outcomes off their spans and the kernel’s counters off stitch.stats()', async () => {
    metrics = createMetrics({
      stitch,
      outbox: { lag: async () => ({ unsentCount: 4, oldestUnsentAgeMillis: 2500 }) },
      relays: [{ stats: () => ({ published: 7, failed: 1, failedPolls: 2 }) }],
      webhooks: { backlog: async () => ({ pending: 6, retrying: 2 }) },
      pools: { main: { totalCount: 5, idleCount: 2, waitingCount: 1 } },
    });
    endSpan('job send-invoice', SpanKind.CONSUMER, { [SpanAttr.component]: 'job', [SpanAttr.jobName]: 'send-invoice', 'stitch.job.outcome': 'retrying' });
    endSpan('process_event', SpanKind.CONSUMER, { [SpanAttr.consumerGroup]: 'mailer', [SpanAttr.eventType]: 'order.paid', 'stitch.event.outcome': 'skipped-duplicate' });
    endSpan('webhook.deliver', SpanKind.CLIENT, { [SpanAttr.component]: 'external', 'server.address': 'hooks.example.com', 'stitch.webhook.final_state': 'dead' });
    expect((await series(metrics, 'stitch_job_run_duration_seconds')).map((s) => s.labels)).toEqual([{ stitch_job_name: 'send-invoice', outcome: 'retrying' }]);
    expect((await series(metrics, 'messaging_process_duration_seconds')).map((s) => s.labels)).toEqual([{ messaging_consumer_group_name: 'mailer', stitch_event_type: 'order.paid', outcome: 'skipped-duplicate' }]);
    expect((await series(metrics, 'stitch_webhook_attempt_duration_seconds')).map((s) => s.labels)).toEqual([{ outcome: 'dead' }]);
    expect(await series(metrics, 'stitch_outbox_unsent_events')).toEqual([{ labels: {}, value: 4 }]);
    expect(await series(metrics, 'stitch_outbox_oldest_unsent_age_seconds')).toEqual([{ labels: {}, value: 2.5 }]);
    expect((await series(metrics, 'stitch_webhook_backlog_deliveries')).map((s) => [s.labels.state, s.value])).toEqual([['pending', 6], ['retrying', 2]]);
    expect((await series(metrics, 'stitch_outbox_relayed_events_total')).map((s) => [s.labels.outcome, s.value])).toEqual([['published', 7], ['failed', 1], ['failed_poll', 2]]);
    expect((await series(metrics, 'stitch_db_pool_connections')).map((s) => [s.labels.state, s.value])).toEqual([['total', 5], ['idle', 2], ['waiting', 1]]);
    const kept = stitch.stats().sampling.tracesKept;
    expect((await series(metrics, 'stitch_sampling_traces_total')).find((s) => s.labels.decision === 'error')?.value).toBe(kept.error);
  });

  it('serves /metrics from node:http, Express, Fastify and a port of its own', async () => {
    metrics = createMetrics({ stitch });
    const m = metrics;
    const app = express();
    app.get('/metrics', m.handler);
    const fastify = Fastify();
    fastify.get('/metrics', async (_req, reply) => {
      const { contentType, body } = await m.exposition();
      return reply.type(contentType).send(body);
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const urls = [
      `${await listen(createServer(m.handler))}/metrics`,
      `${await listen(createServer(app))}/metrics`,
      `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}/metrics`,
      `http://127.0.0.1:${(await m.listen({ port: 0 })).port}/metrics`,
    ];
    for (const url of urls) {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      expect(await res.text(), url).toContain('# TYPE stitch_export_spans_total counter');
    }
    await fastify.close();
  });

  it('refuses a bad option with STITCH_ERR_CONFIG_INVALID, and never freezes the objects it is given', () => {
    expect(() => createMetrics({ stitch, bounds: { routes: 0 } })).toThrow(StitchError);
    expect(() => createMetrics({ stitch: {} as typeof stitch })).toThrow(/metrics.stitch/);
    expect(() => createMetrics({ stitch, bounds: { rotues: 5 } as never })).toThrow(/routes/);
    const pool = { totalCount: 1, idleCount: 1, waitingCount: 0 };
    metrics = createMetrics({ stitch, pools: { main: pool } });
    expect(Object.isFrozen(pool)).toBe(false);
    expect(Object.isFrozen(stitch)).toBe(false);
  });
});

describe('docs/metrics.md', () => {
  it('lists every metric the registry exposes, with its type, unit and labels', async () => {
    const doc = readFileSync(new URL('../../../../../docs/metrics.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_]+)` \| (\w+) \| `([^`]*)` \| ([^|]*) \|/gm)].map((m) => ({
      name: m[1],
      type: m[2],
      unit: m[3],
      labels: [...m[4]!.matchAll(/`([a-z_]+)`/g)].map((l) => l[1]),
    }));
    expect(rows).toEqual(METRICS.map((m) => ({ name: m.name, type: m.type, unit: m.unit, labels: Object.keys(m.labels) })));
    const m = createMetrics({ stitch, tenants: { top: 1 } });
    const registered = (await m.registry.getMetricsAsJSON()).map((x) => [x.name, String(x.type)]);
    await m.close();
    expect(registered).toEqual(METRICS.map((x) => [x.name, x.type]));
  });
});
