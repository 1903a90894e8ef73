import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { currentContext, withContext } from '../../core/context/context-store.js';
import { stitchExpress } from '../../hops/edge/express.js';
import { stitchRequestListener } from '../../hops/edge/node-http.js';
import { loadConfig } from '../config/load-config.js';
import { exportStats, samplingStats, startStitch } from '../start-stitch.js';
import { stitchSdkOptions } from './stitch-sdk-options.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const SECRET = 'sk_live_abcdefghijklmnop1234';

// Stitch's own exporter slot: what reaches it went through the tail keep, redaction and the
// bounded batch processor, as a network exporter's batches would.
const exported = new InMemorySpanExporter();
const config = loadConfig({ env: { OTEL_SERVICE_NAME: 'sdk-integrated' } });
const sdk = new NodeSDK({ ...stitchSdkOptions(config, { exporter: exported, env: {} }), instrumentations: [getNodeAutoInstrumentations()] });
sdk.start();
const servers: Server[] = [];

beforeAll(async () => {
  // instrumentation-http patches `http` when it is required after the SDK started (what
  // `node --import` setups do); vitest loaded it before, through ESM.
  const { createRequire } = await import('node:module');
  createRequire(import.meta.url)('node:http');
});
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await sdk.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});
beforeEach(() => exported.reset());

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A GET over a bare TCP socket, answered with `connection: close`: its body. */
async function rawGet(base: string, path: string, headers: Record<string, string>): Promise<string> {
  const { port } = new URL(base);
  const socket = connect(Number(port), '127.0.0.1');
  const lines = [`GET ${path} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${lines.join('\r\n')}\r\n\r\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw.slice(raw.indexOf('\r\n\r\n') + 4);
}

async function flush(): Promise<void> {
  const provider = trace.getTracerProvider() as unknown as { getDelegate(): { forceFlush(): Promise<void> } };
  await provider.getDelegate().forceFlush();
}

async function spansOf(traceId: string, kind: SpanKind): Promise<ReadableSpan[]> {
  return vi.waitFor(async () => {
    await flush();
    const spans = exported.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    if (!spans.some((s) => s.kind === kind && s.attributes['stitch.sampling.reason'] !== undefined)) throw new Error(`no ${kind} root of ${traceId} yet`);
    return spans;
  });
}

const handler = (res: { setHeader(name: string, value: string): unknown; end(body: string): unknown }) => {
  const ctx = currentContext();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ traceId: ctx.traceId, tenantId: ctx.tenantId }));
};

describe('stitchSdkOptions() in the user\'s own NodeSDK with auto-instrumentations (one server span per request)', () => {
  it('a node:http request through the edge is one trace, with tenant, budget and the tail decision, exported through Stitch\'s redacting batch export', async () => {
    const base = await listen(createServer(stitchRequestListener((_req, res) => withContext({ tenantId: TENANT }, () => handler(res)), { routes: ['/orders/:id'] })));
    const response = await fetch(`${base}/orders/42?api_key=${SECRET}`);
    const body = (await response.json()) as { traceId: string; tenantId: string };
    expect(response.headers.get('x-trace-id')).toBe(body.traceId);

    const spans = await spansOf(body.traceId, SpanKind.SERVER);
    // One server span: instrumentation-http's, enriched by the edge instead of a second inside it.
    const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map((s) => s.instrumentationScope.name)).toEqual(['@opentelemetry/instrumentation-http']);
    const edge = servers[0];
    expect(edge?.name).toBe('GET /orders/:id');
    expect(edge?.attributes['http.route']).toBe('/orders/:id');
    expect(edge?.attributes['stitch.request_id']).toBe(response.headers.get('x-request-id'));
    expect(response.headers.get('traceresponse')).toBe(`00-${body.traceId}-${edge?.spanContext().spanId}-01`);
    expect(edge?.attributes['tenant.id']).toBe(TENANT);
    expect(edge?.attributes['stitch.budget_ms']).toBe(500);
    expect(edge?.resource.attributes['service.name']).toBe('sdk-integrated');
    expect(spans.every((s) => s.spanContext().traceId === body.traceId)).toBe(true);
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(SECRET);
    expect(exportStats().exported).toBeGreaterThan(0);
    expect(Object.values(samplingStats().tracesKept).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('an Express app behind the edge middleware gets the same: one trace carrying the tenant from withContext', async () => {
    const app = express();
    app.use(stitchExpress().middleware);
    app.get('/invoices/:id', (_req, res) => withContext({ tenantId: TENANT }, () => handler(res)));
    const base = await listen(createServer(app));
    const response = await fetch(`${base}/invoices/7`);
    const body = (await response.json()) as { traceId: string; tenantId: string };
    expect(body.tenantId).toBe(TENANT);

    const spans = await spansOf(body.traceId, SpanKind.SERVER);
    const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers).toHaveLength(1);
    expect(servers[0]?.attributes['tenant.id']).toBe(TENANT);
    expect(servers[0]?.attributes['http.route']).toBe('/invoices/:id');
    expect(spans.every((s) => s.spanContext().traceId === body.traceId)).toBe(true);
  });

  it('under instrumentation-express, a tenant resolved by an auth middleware (inside its middleware span) is on the server span too', async () => {
    // Required after the SDK started, so instrumentation-express wraps its layers in spans.
    const { createRequire } = await import('node:module');
    const patched = createRequire(import.meta.url)('express') as typeof express;
    const app = patched();
    app.use(stitchExpress().middleware);
    app.use(function auth(_req, _res, next) {
      withContext({ tenantId: TENANT }, () => next());
    });
    app.get('/receipts/:id', (_req, res) => handler(res));
    const base = await listen(createServer(app));
    const body = (await (await fetch(`${base}/receipts/7`)).json()) as { traceId: string; tenantId: string };
    expect(body.tenantId).toBe(TENANT);

    const spans = await spansOf(body.traceId, SpanKind.SERVER);
    // The middleware span the tenant was resolved in exists: the setup this test is about.
    expect(spans.some((s) => s.name.includes('auth'))).toBe(true);
    const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers).toHaveLength(1);
    expect(servers[0]?.attributes['tenant.id']).toBe(TENANT);
  });

  it('keeps the trust rule: a traceparent from an untrusted caller, which the instrumentation continued, gets a server span of Stitch\'s own in a new trace', async () => {
    const untrusted = `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`;
    const base = await listen(createServer(stitchRequestListener((_req, res) => handler(res), { trustedUpstreams: ['10.255.255.0/24'] })));
    // Over a bare socket: the instrumented clients (undici, http) would add a traceparent of their own.
    const body = JSON.parse(await rawGet(base, '/from-outside', { traceparent: untrusted })) as { traceId: string };
    expect(body.traceId).not.toBe('ab'.repeat(16));
    const spans = await spansOf(body.traceId, SpanKind.SERVER);
    const edge = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(edge?.instrumentationScope.name).toBe('@stitch/kernel');
    expect(edge?.parentSpanContext).toBeUndefined();
    expect(edge?.links[0]?.context.traceId).toBe('ab'.repeat(16));
  });

  it('leaves startStitch() refusing: the NodeSDK owns the globals', () => {
    expect(() => startStitch({ serviceName: 'second', env: {} })).toThrow(/STITCH_ERR_SETUP_OTEL_ALREADY_REGISTERED|already registered/);
  });
});
