import { context, propagation, trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type * as Http from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { stitchRequestListener } from '../../hops/edge/node-http.js';
import { logStats } from '../logs/log-stats.js';
import { loadConfig } from '../../setup/config/load-config.js';
import { stitchSdkOptions } from '../../setup/otel/stitch-sdk-options.js';
import { budgetStats, exportStats, samplingStats } from '../../setup/start-stitch.js';
import { createMetrics } from './create-metrics.js';

// Integration mode (docs/opentelemetry.md): the NodeSDK owns the provider and
// instrumentation-http opens the server span; Stitch's pipeline, with the span observer, is the
// SDK's span processors. Metrics must count that span once, in the older HTTP conventions it writes.
const sdk = new NodeSDK({ ...stitchSdkOptions(loadConfig({ env: { OTEL_SERVICE_NAME: 'metrics-sdk' } }), { exporter: new InMemorySpanExporter(), env: {} }), instrumentations: [new HttpInstrumentation()] });
sdk.start();
const noLogExport = { exported: 0, droppedQueueFull: 0, failed: 0, malformed: 0, droppedShutdown: 0, rejected: 0 };
const metrics = createMetrics({ stitch: { stats: () => ({ logs: logStats(), logExport: noLogExport, sampling: samplingStats(), export: exportStats(), budgets: budgetStats() }) } });
let server: Server | undefined;
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await metrics.close();
  await sdk.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

describe('metrics under the NodeSDK with instrumentation-http', () => {
  it('count each request once, by route template, method and status class', async () => {
    // instrumentation-http patches `http` when it is required after the SDK started.
    const { createRequire } = await import('node:module');
    const http = createRequire(import.meta.url)('node:http') as typeof Http;
    server = http.createServer(stitchRequestListener((_req, res) => res.end('ok'), { routes: ['/orders/:id'] }));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const path of ['/orders/1', '/orders/2']) await (await fetch(`${url}${path}`)).text();
    const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'http_server_request_duration_seconds');
    const counts = ((metric?.values ?? []) as { labels: Record<string, string>; value: number; metricName?: string }[]).filter((v) => v.metricName?.endsWith('_count'));
    expect(counts.map((c) => [c.labels, c.value])).toEqual([[{ http_route: '/orders/:id', http_request_method: 'GET', http_response_status_class: '2xx' }, 2]]);
  });
});
