/**
 * One client span per outgoing call inside the user's own NodeSDK (issue 13): with
 * instrumentation-http and instrumentation-undici active (getNodeAutoInstrumentations()),
 * Stitch's HTTP out opens no span of its own. The instrumentation's span is the one; it gets
 * Stitch's external-call mark (the budget) and the tenant, the request carries exactly one
 * `traceparent` (naming that span), and a trusted destination still receives the tenant
 * baggage. Against real local servers on port 0.
 */
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { once } from 'node:events';
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runInNewContext, withContext, withSpan } from '@stitch/kernel';
import { loadConfig } from '@stitch/kernel/config';
import { installHttpOut } from '@stitch/kernel/http-out';
import { stitchSdkOptions } from '@stitch/kernel/otel';

const TENANT = 'acme';
const exported = new InMemorySpanExporter();
const instrumentations = getNodeAutoInstrumentations();
const sdk = new NodeSDK({
  ...stitchSdkOptions(loadConfig({ env: { OTEL_SERVICE_NAME: 'otel-http-out' } }), { exporter: exported, env: {} }),
  instrumentations: [instrumentations],
});
sdk.start();
// Required after the SDK started, as a `node --import` setup loads it: instrumentation-http
// patches `http` when it is required.
const http = createRequire(import.meta.url)('node:http') as typeof Http;
const undiciInstrumentation = instrumentations.find((i: Instrumentation) => i.instrumentationName === '@opentelemetry/instrumentation-undici');

/** Every `traceparent` line and the `baggage` the server received. */
interface Seen {
  readonly traceparents: string[];
  readonly baggage: string | undefined;
}

let server: Http.Server;
let origin: string;
let uninstall: () => void = () => {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const traceparents: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === 'traceparent') traceparents.push(String(req.rawHeaders[i + 1]));
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ traceparents, baggage: req.headers.baggage }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  uninstall();
  exported.reset();
});

afterAll(async () => {
  server.close();
  await sdk.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

async function viaFetch(url: string): Promise<Seen> {
  return (await (await fetch(url)).json()) as Seen;
}

async function viaHttp(url: string): Promise<Seen> {
  const req = http.request(url);
  req.end();
  const [res] = (await once(req, 'response')) as [Http.IncomingMessage];
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return JSON.parse(body) as Seen;
}

/** Runs `call` in a request span of tenant acme; returns what the server saw and the trace's client spans. */
async function callInRequest(call: (url: string) => Promise<Seen>): Promise<{ seen: Seen; clients: ReadableSpan[] }> {
  const { seen, traceId } = await runInNewContext({ name: 'job', requestId: 'req-otel-http-out' }, () =>
    withContext({ tenantId: TENANT }, () =>
      withSpan('request', async (span) => ({ seen: await call(`${origin}/invoices?token=secret`), traceId: span.spanContext().traceId })),
    ),
  );
  const clients = await vi.waitFor(async () => {
    await (trace.getTracerProvider() as unknown as { getDelegate(): { forceFlush(): Promise<void> } }).getDelegate().forceFlush();
    const spans = exported.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    if (!spans.some((s) => s.name === 'request')) throw new Error(`trace ${traceId} not exported yet`);
    return spans.filter((s) => s.kind === SpanKind.CLIENT);
  });
  return { seen, clients };
}

function expectOneInstrumentedSpan(seen: Seen, clients: ReadableSpan[], scope: string): void {
  expect(clients).toHaveLength(1);
  const [client] = clients;
  expect(client?.instrumentationScope.name).toBe(scope);
  expect(seen.traceparents).toHaveLength(1);
  expect(seen.traceparents[0]).toContain(`-${client?.spanContext().spanId}-`);
  expect(client?.attributes['stitch.component']).toBe('external');
  expect(client?.attributes['tenant.id']).toBe(TENANT);
  expect(client?.attributes['stitch.budget_ms']).toBe(800);
}

describe('HTTP out under instrumentation-http and instrumentation-undici', () => {
  it.each([
    ['fetch', viaFetch, '@opentelemetry/instrumentation-undici'],
    ['http.request', viaHttp, '@opentelemetry/instrumentation-http'],
  ])('%s: one client span, the instrumentation\'s, with Stitch\'s external-call budget and the tenant; one traceparent', async (_name, call, scope) => {
    uninstall = installHttpOut();
    const { seen, clients } = await callInRequest(call);
    expectOneInstrumentedSpan(seen, clients, scope);
    expect(seen.baggage).toBeUndefined();
  });

  it.each([
    ['fetch', viaFetch, '@opentelemetry/instrumentation-undici'],
    ['http.request', viaHttp, '@opentelemetry/instrumentation-http'],
  ])('%s to a trusted destination still carries the tenant baggage, on the instrumentation\'s call', async (_name, call, scope) => {
    uninstall = installHttpOut({ trustedDestinations: [new URL(origin).host] });
    const { seen, clients } = await callInRequest(call);
    expectOneInstrumentedSpan(seen, clients, scope);
    expect(seen.baggage).toBe(`tenant.id=${TENANT}`);
  });

  it('fetch: one client span from the first call when HTTP out was installed before instrumentation-undici was enabled', async () => {
    undiciInstrumentation?.disable();
    uninstall = installHttpOut();
    undiciInstrumentation?.enable();
    for (let i = 0; i < 2; i++) {
      const { seen, clients } = await callInRequest(viaFetch);
      expectOneInstrumentedSpan(seen, clients, '@opentelemetry/instrumentation-undici');
    }
  });

  it('without the instrumentations, HTTP out makes the client span itself', async () => {
    undiciInstrumentation?.disable();
    try {
      uninstall = installHttpOut();
      const { seen, clients } = await callInRequest(viaFetch);
      expect(clients).toHaveLength(1);
      expect(clients[0]?.instrumentationScope.name).toBe('@stitch/kernel');
      expect(seen.traceparents).toEqual([expect.stringContaining(`-${clients[0]?.spanContext().spanId}-`)]);
      expect(clients[0]?.attributes['stitch.component']).toBe('external');
    } finally {
      undiciInstrumentation?.enable();
    }
  });
});
