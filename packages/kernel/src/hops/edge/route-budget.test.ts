import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { withSpan } from '../../core/tracing/with-span.js';
import { startStitch } from '../../setup/start-stitch.js';
import { stitchRequestListener } from './node-http.js';

const warnings: { fields: Record<string, unknown>; message: string }[] = [];
const exporter = new InMemorySpanExporter();
const stitch = startStitch({
  serviceName: 'route-budget-test',
  spanProcessors: [new SimpleSpanProcessor(exporter)],
  tracing: { budgets: { overrides: { route: { '/reports/:id': 20 } } } },
  logger: { warn: (fields, message) => warnings.push({ fields, message }) },
});
const server = createServer(
  stitchRequestListener(
    async (_req, res) => {
      await withSpan('report.render', () => new Promise((resolve) => setTimeout(resolve, 60)));
      res.end('done');
    },
    { routes: ['/reports/:id', '/fast'] },
  ),
);
afterAll(async () => {
  server.close();
  await stitch.shutdown();
});

describe('route budgets at the edge', () => {
  it('a request slower than its route budget writes one perf_violation warning naming the route and its slowest child', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const response = await fetch(`${base}/reports/7`);
    const traceId = response.headers.get('x-trace-id');
    expect(await response.text()).toBe('done');
    await stitch.provider?.forceFlush();
    const routeWarnings = warnings.filter((w) => w.fields.component === 'route');
    expect(routeWarnings).toHaveLength(1);
    expect(routeWarnings[0]!.fields).toMatchObject({
      perf_violation: true,
      trace_id: traceId,
      component: 'route',
      name: '/reports/:id',
      budget_ms: 20,
      slowest_child: 'report.render',
    });
    expect(routeWarnings[0]!.fields.observed_ms).toBeGreaterThanOrEqual(60);
  });
});
