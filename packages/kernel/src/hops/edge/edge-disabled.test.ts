import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { currentContext } from '../../core/context/context-store.js';
import { startStitch } from '../../setup/start-stitch.js';
import { stitchRequestListener } from './node-http.js';

// The kernel disabled: no tracer provider, so OpenTelemetry's no-op tracer hands out spans.
startStitch({ serviceName: 'edge-disabled-test', enabled: false });
const server = createServer(
  stitchRequestListener((_req, res) => res.end(JSON.stringify(currentContext())), { routes: ['/x/:id'] }),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('edge with the kernel disabled', () => {
  it('still gives every request a trace id, span id and request id, and answers them', async () => {
    const response = await fetch(`${base}/x/1`);
    const body = (await response.json()) as { traceId: string; spanId: string; requestId: string; routeId: string; sampled: boolean };
    expect(body.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('x-trace-id')).toBe(body.traceId);
    expect(response.headers.get('x-request-id')).toBe(body.requestId);
    expect(response.headers.get('traceresponse')).toBe(`00-${body.traceId}-${body.spanId}-00`);
    expect(body.routeId).toBe('/x/:id');
  });

  it('continues a trusted traceparent with a span id of its own, not the caller\'s', async () => {
    const response = await fetch(`${base}/x/1`, { headers: { traceparent: `00-${'d'.repeat(32)}-${'e'.repeat(16)}-01` } });
    const body = (await response.json()) as { traceId: string; spanId: string };
    expect(body.traceId).toBe('d'.repeat(32));
    expect(body.spanId).not.toBe('e'.repeat(16));
    expect(response.headers.get('traceresponse')).toBe(`00-${'d'.repeat(32)}-${body.spanId}-01`);
  });

  it('continues a trusted x-trace-id', async () => {
    const response = await fetch(`${base}/x/1`, { headers: { 'x-trace-id': 'f'.repeat(32) } });
    expect(response.headers.get('x-trace-id')).toBe('f'.repeat(32));
  });
});
