import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { stitchRequestListener } from '../../hops/edge/node-http.js';
import { createStitch } from '../../setup/create-stitch.js';
import { createMetrics } from './create-metrics.js';
import type { StitchMetrics } from './create-metrics.js';

const servers: Server[] = [];
const opened: StitchMetrics[] = [];
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await Promise.all(opened.map((m) => m.close()));
});

async function serve(): Promise<string> {
  const server = createServer(stitchRequestListener((_req, res) => res.end('ok'), { routes: ['/orders/:id'] }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function requests(m: StitchMetrics): Promise<number> {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === 'http_server_request_duration_seconds');
  const values = (metric?.values ?? []) as { value: number; metricName?: string }[];
  return values.filter((v) => v.metricName === 'http_server_request_duration_seconds_count').reduce((sum, v) => sum + v.value, 0);
}

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'stitch-metrics-')), 'stitch.yaml');
  writeFileSync(file, yaml);
  return file;
}

const env = { OTEL_SERVICE_NAME: 'metrics-per-kernel', STITCH_LOG_LEVEL: 'silent', OTEL_TRACES_EXPORTER: 'none' };

describe('metrics per kernel, whatever the sampling', () => {
  // One kernel runs at a time (startStitch refuses a second while one is registered), so the
  // tests run in order: the first kernel is shut down before the second starts.
  const firstExported = new InMemorySpanExporter();
  let first: StitchMetrics | undefined;

  it('counts every request at head ratio 0.1 with the tail sampler off, and exports only the sampled ones', async () => {
    const stitch = createStitch({
      env,
      file: configFile('tracing:\n  sampling:\n    ratio: 0.1\n    tail:\n      enabled: false\n'),
      spanProcessors: [new SimpleSpanProcessor(firstExported)],
    });
    first = createMetrics({ stitch });
    opened.push(first);
    const url = await serve();
    const N = 200;
    for (let i = 0; i < N; i += 1) await (await fetch(`${url}/orders/${i}`)).text();
    expect(await requests(first)).toBe(N);
    // The roots recorded for the metrics alone never reach an exporter: what was exported is
    // the sampled tenth (0.9^200 makes "none sampled" practically impossible).
    const exported = firstExported.getFinishedSpans();
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.length).toBeLessThan(N / 2);
    expect(exported.every((span) => (span.spanContext().traceFlags & 1) === 1)).toBe(true);
    await stitch.shutdown();
  });

  it('keeps each kernel’s counts its own: a kernel started after the first never adds to the first one’s metrics', async () => {
    expect(first).toBeDefined();
    const before = await requests(first!);
    const stitch = createStitch({ env, spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
    const second = createMetrics({ stitch });
    opened.push(second);
    const url = await serve();
    for (let i = 0; i < 3; i += 1) await (await fetch(`${url}/orders/${i}`)).text();
    expect(await requests(second)).toBe(3);
    expect(await requests(first!)).toBe(before);
    await stitch.shutdown();
  });
});
