import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { currentContext, withContext } from '../../core/context/context-store.js';
import { StitchError } from '../../core/errors/stitch-error.js';
import { startStitch } from '../../setup/start-stitch.js';
import { stitchRequestListener } from './node-http.js';
import type { EdgeRequestListener, NodeHttpEdgeOptions } from './node-http.js';
import { setRoute } from './start-request.js';

const exporter = new InMemorySpanExporter();
const stitch = startStitch({ serviceName: 'edge-node-http-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await stitch.shutdown();
});
beforeEach(() => exporter.reset());

const TENANT = '11111111-1111-4111-8111-111111111111';
const PARENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN = 'b7ad6b7169203331';
const TRACEPARENT = `00-${PARENT_TRACE}-${PARENT_SPAN}-01`;

async function serve(listener: EdgeRequestListener, options: NodeHttpEdgeOptions = {}): Promise<string> {
  const server = createServer({ keepAliveTimeout: 100 }, stitchRequestListener(listener, options));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const echoContext: EdgeRequestListener = (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(currentContext()));
};

async function serverSpan(traceId: string): Promise<ReadableSpan> {
  return vi.waitFor(() => {
    const span = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && s.spanContext().traceId === traceId);
    if (span === undefined) throw new Error(`no server span of ${traceId} yet`);
    return span;
  });
}

describe('node:http edge adapter', () => {
  it('answers x-trace-id, x-request-id and traceresponse naming the server span, and names it by the route template', async () => {
    const base = await serve(echoContext, { routes: ['/orders/:id'] });
    const response = await fetch(`${base}/orders/42?token=secret`);
    const body = (await response.json()) as { traceId: string; spanId: string; requestId: string; routeId: string };
    const traceId = response.headers.get('x-trace-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(body.traceId).toBe(traceId);
    expect(response.headers.get('x-request-id')).toBe(body.requestId);
    expect(response.headers.get('traceresponse')).toBe(`00-${body.traceId}-${body.spanId}-01`);
    expect(body.routeId).toBe('/orders/:id');

    const span = await serverSpan(body.traceId);
    expect(span.name).toBe('GET /orders/:id');
    expect(span.attributes['http.route']).toBe('/orders/:id');
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.attributes['url.path']).toBe('/orders/42');
    expect(span.attributes['stitch.request_id']).toBe(body.requestId);
    expect(span.attributes['tenant.id']).toBeUndefined();
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('names the span by the method alone until the route is known, then by setRoute()', async () => {
    const base = await serve((req, res) => {
      if (req.url === '/named') setRoute('/named');
      res.end();
    });
    const unnamed = await fetch(`${base}/raw/123`);
    const named = await fetch(`${base}/named`);
    expect((await serverSpan(unnamed.headers.get('x-trace-id') ?? '')).name).toBe('GET');
    expect((await serverSpan(unnamed.headers.get('x-trace-id') ?? '')).attributes['http.route']).toBeUndefined();
    expect((await serverSpan(named.headers.get('x-trace-id') ?? '')).name).toBe('GET /named');
  });

  it('continues a valid traceparent and tracestate from a trusted upstream (loopback by default)', async () => {
    const base = await serve(echoContext);
    const response = await fetch(base, { headers: { traceparent: TRACEPARENT, tracestate: 'vendor=abc', 'x-request-id': 'upstream-req-1' } });
    const body = (await response.json()) as { traceId: string; requestId: string };
    expect(body.traceId).toBe(PARENT_TRACE);
    expect(body.requestId).toBe('upstream-req-1');
    const span = await serverSpan(PARENT_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(span.spanContext().traceState?.serialize()).toBe('vendor=abc');
    expect(span.links).toEqual([]);
  });

  it('starts a new trace for an untrusted caller and keeps its valid context only as a span link', async () => {
    const base = await serve(echoContext, { trustedUpstreams: [] });
    const response = await fetch(base, { headers: { traceparent: TRACEPARENT, 'x-request-id': 'chosen-by-client' } });
    const body = (await response.json()) as { traceId: string; requestId: string };
    expect(body.traceId).not.toBe(PARENT_TRACE);
    expect(body.requestId).not.toBe('chosen-by-client');
    const span = await serverSpan(body.traceId);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.links).toHaveLength(1);
    expect(span.links[0]?.context.traceId).toBe(PARENT_TRACE);
    expect(span.links[0]?.context.spanId).toBe(PARENT_SPAN);
    expect(span.links[0]?.attributes?.['stitch.edge.untrusted']).toBe(true);
  });

  it('trusts a caller presenting the shared secret header, and not one presenting a wrong secret', async () => {
    const secret = { name: 'X-Stitch-Upstream', value: 'a-long-shared-secret-0123456789' };
    const base = await serve(echoContext, { trustedUpstreams: [], trustedSecretHeader: secret });
    const right = (await (await fetch(base, { headers: { traceparent: TRACEPARENT, 'x-stitch-upstream': secret.value } })).json()) as { traceId: string };
    const wrong = (await (await fetch(base, { headers: { traceparent: TRACEPARENT, 'x-stitch-upstream': `${secret.value}x` } })).json()) as { traceId: string };
    expect(right.traceId).toBe(PARENT_TRACE);
    expect(wrong.traceId).not.toBe(PARENT_TRACE);
  });

  it('continues a trusted x-trace-id as the root of that trace and ignores an invalid one', async () => {
    const base = await serve(echoContext);
    const traceId = 'a'.repeat(32);
    const continued = await fetch(base, { headers: { 'x-trace-id': traceId } });
    expect(continued.headers.get('x-trace-id')).toBe(traceId);
    expect((await serverSpan(traceId)).parentSpanContext).toBeUndefined();
    for (const invalid of ['A'.repeat(32), '0'.repeat(32), 'abc', `${traceId}, ${traceId}`]) {
      const response = await fetch(base, { headers: { 'x-trace-id': invalid } });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-trace-id')).not.toBe(traceId);
      expect(response.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('records an untrusted x-trace-id as an attribute, never as the trace', async () => {
    const base = await serve(echoContext, { trustedUpstreams: [] });
    const traceId = 'b'.repeat(32);
    const response = await fetch(base, { headers: { 'x-trace-id': traceId } });
    const answered = response.headers.get('x-trace-id') ?? '';
    expect(answered).not.toBe(traceId);
    expect((await serverSpan(answered)).attributes['stitch.edge.untrusted_trace_id']).toBe(traceId);
  });

  it('never fails a request over bad or duplicated trace headers: it starts a new trace', async () => {
    const base = await serve(echoContext);
    const bad: [string, string][][] = [
      [['traceparent', 'garbage']],
      [['traceparent', `00-${'0'.repeat(32)}-${PARENT_SPAN}-01`]],
      [['traceparent', TRACEPARENT], ['traceparent', `00-${'c'.repeat(32)}-${PARENT_SPAN}-01`]],
      [['x-request-id', 'has spaces in it'], ['tracestate', '===,,,']],
    ];
    for (const headers of bad) {
      const response = await fetch(base, { headers });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { traceId: string; requestId: string };
      expect(body.traceId).not.toBe(PARENT_TRACE);
      expect(body.requestId).not.toBe('has spaces in it');
    }
  });

  it("keeps a body read with req.on('data'/'end') in the request's context, chunks arriving later from the socket", async () => {
    const base = await serve((req, res) => {
      const chunks: string[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(`${chunk.toString()}@${currentContext().requestId}`));
      req.on('end', () => res.end(JSON.stringify({ chunks, requestId: currentContext().requestId })));
    });
    const { port } = new URL(base);
    const answer = await new Promise<{ chunks: string[]; requestId: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(text) as { chunks: string[]; requestId: string }));
      });
      req.on('error', reject);
      req.write('first');
      setTimeout(() => req.end('second'), 20);
    });
    expect(answer.chunks).toEqual([`first@${answer.requestId}`, `second@${answer.requestId}`]);
  });

  it('answers an unknown error as STITCH_ERR_EDGE_INTERNAL without leaking its message, and marks the span', async () => {
    const base = await serve(async () => {
      await Promise.resolve();
      throw new Error('connection to postgres://admin:hunter2@db failed');
    });
    const response = await fetch(base, { method: 'POST' });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain('hunter2');
    const body = JSON.parse(text) as { error: { code: string; message: string; traceId: string; requestId: string } };
    expect(body.error).toEqual({
      code: 'STITCH_ERR_EDGE_INTERNAL',
      message: 'Internal error.',
      traceId: response.headers.get('x-trace-id'),
      requestId: response.headers.get('x-request-id'),
    });
    const span = await serverSpan(body.error.traceId);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['http.response.status_code']).toBe(500);
    expect(span.attributes['error.type']).toBe('500');
    expect(span.events.some((event) => event.name === 'exception')).toBe(true);
  });

  it('answers a StitchError with its own code and status, and does not mark a 4xx span as an error', async () => {
    const base = await serve(() => {
      throw new StitchError('STITCH_ERR_EDGE_FORBIDDEN');
    });
    const response = await fetch(base);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('STITCH_ERR_EDGE_FORBIDDEN');
    expect(body.error.message).toBe('This credential may not do that.');
    const span = await serverSpan(response.headers.get('x-trace-id') ?? '');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['error.type']).toBeUndefined();
  });

  it('lets auth set the tenant with withContext(): the server span and the handler carry it', async () => {
    const base = await serve((_req, res) => withContext({ tenantId: TENANT }, () => echoContext(_req, res)), { routes: ['/t'] });
    const response = await fetch(`${base}/t`);
    const body = (await response.json()) as { traceId: string; tenantId: string; routeId: string };
    expect(body.tenantId).toBe(TENANT);
    expect(body.traceId).toBe(response.headers.get('x-trace-id'));
    expect(body.routeId).toBe('/t');
    expect((await serverSpan(body.traceId)).attributes['tenant.id']).toBe(TENANT);
  });

  it('ends the span of a request whose client went away, marked as aborted', async () => {
    let arrived: () => void = () => {};
    const handlerStarted = new Promise<void>((resolve) => (arrived = resolve));
    const base = await serve(
      (_req, res) =>
        new Promise<void>((resolve) => {
          res.once('close', resolve);
          arrived();
        }),
    );
    const controller = new AbortController();
    const pending = fetch(base, { signal: controller.signal }).catch(() => undefined);
    await handlerStarted;
    controller.abort();
    await pending;
    const span = await vi.waitFor(() => {
      const found = exporter.getFinishedSpans().find((s) => s.attributes['stitch.edge.aborted'] === true);
      if (found === undefined) throw new Error('not ended yet');
      return found;
    });
    expect(span.attributes['http.response.status_code']).toBeUndefined();
  });

  it('refuses invalid edge options at start-up with a coded error naming the key', () => {
    expect(() => stitchRequestListener(echoContext, { trustedUpstreams: ['10.0.0.0/99'] })).toThrowError(
      expect.objectContaining({ code: 'STITCH_ERR_CONFIG_INVALID', message: expect.stringContaining('edge.trustedUpstreams.0') }),
    );
  });
});
