import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { createRequire } from 'node:module';
import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TraceContext } from '@stitch/contract';
import { currentContext, tryCurrentContext, withContext } from '../../core/context/context-store.js';
import { StitchError } from '../../core/errors/stitch-error.js';
import { startStitch } from '../../setup/start-stitch.js';
import { stitchExpress } from './express.js';

const exporter = new InMemorySpanExporter();
const stitch = startStitch({ serviceName: 'edge-express-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeEach(() => exporter.reset());

const TENANT = '33333333-3333-4333-8333-333333333333';

/** What each step of the chain saw, per request. */
const seen = new Map<string, Record<string, TraceContext | undefined>>();
function record(step: string): void {
  const ctx = tryCurrentContext();
  if (ctx === undefined) return;
  const steps = seen.get(ctx.requestId) ?? {};
  steps[step] = ctx;
  seen.set(ctx.requestId, steps);
}

// The same suite runs on Express 5 and on Express 4 (4.18+, the kernel's peer range):
// `express4` is express@4 installed under an alias (a dev dependency of the kernel).
const express4 = createRequire(import.meta.url)('express4') as typeof express;

/** The app each suite serves: the edge first, auth, the body parser, routes, then 404 and errors. */
async function serve(framework: typeof express): Promise<Server> {
  const edge = stitchExpress();
  const app = framework();
  app.use(edge.middleware);
  // Auth before the body parser: the parser's stream callbacks must still run in the tenant's context.
  app.use((req, _res, next) => {
    if (req.headers['x-tenant'] === undefined) return next();
    withContext({ tenantId: String(req.headers['x-tenant']) }, next);
  });
  app.use(framework.json({ limit: 64 }));
  app.use((_req, _res, next) => {
    record('afterBody');
    next();
  });
  app.post('/orders/:id', async (req, res) => {
    record('handler');
    await new Promise((resolve) => setTimeout(resolve, 5));
    record('afterAwait');
    res.json({ ctx: currentContext(), body: req.body as unknown });
  });
  const router = framework.Router();
  router.get('/items/:itemId', (_req, res) => res.json({ ctx: currentContext() }));
  app.use('/api', router);
  app.get('/boom', () => {
    throw new Error('SELECT * FROM secrets');
  });
  app.get('/forbidden', (_req, _res, next) => next(new StitchError('STITCH_ERR_EDGE_FORBIDDEN')));
  app.use(edge.notFound);
  app.use(edge.errorHandler);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return server;
}

afterAll(async () => {
  await stitch.shutdown();
});

/** Sends a JSON body in two chunks 20 ms apart, so the body parser finishes asynchronously. */
function postInChunks(port: number, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    setTimeout(() => req.end(body.slice(half)), 20);
  });
}

async function serverSpan(traceId: string): Promise<ReadableSpan> {
  return vi.waitFor(() => {
    const span = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && s.spanContext().traceId === traceId);
    if (span === undefined) throw new Error('no server span yet');
    return span;
  });
}

it('runs the suite below on both majors: express4 is Express 4', () => {
  const versionOf = (name: string) => (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  expect(versionOf('express4')).toMatch(/^4\./);
  expect(versionOf('express')).toMatch(/^5\./);
});

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
] as const)('%s edge adapter', (_name, framework) => {
  let server: Server;
  let port: number;
  let base: string;
  beforeAll(async () => {
    server = await serve(framework);
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps the request context, with the tenant set by auth middleware, through express.json() and the handler', async () => {
    const response = await postInChunks(port, '/orders/7', JSON.stringify({ qty: 2 }), { 'x-tenant': TENANT });
    expect(response.status).toBe(200);
    const { ctx, body } = response.json as { ctx: TraceContext; body: unknown };
    expect(body).toEqual({ qty: 2 });
    expect(ctx.traceId).toBe(response.headers['x-trace-id']);
    expect(ctx.tenantId).toBe(TENANT);
    expect(ctx.routeId).toBe('/orders/:id');
    const steps = seen.get(ctx.requestId) ?? {};
    for (const step of ['afterBody', 'handler', 'afterAwait']) {
      expect(steps[step]?.traceId, step).toBe(ctx.traceId);
      expect(steps[step]?.tenantId, step).toBe(TENANT);
    }
    // Auth ran before the route matched; the handler's context still knows the route.
    expect(steps.handler?.routeId).toBe('/orders/:id');
    const span = await serverSpan(ctx.traceId);
    expect(span.name).toBe('POST /orders/:id');
    expect(span.attributes['http.route']).toBe('/orders/:id');
    expect(span.attributes['tenant.id']).toBe(TENANT);
  });

  it('names the span by baseUrl joined with the route path for a mounted router, never the raw URL', async () => {
    const response = await fetch(`${base}/api/items/99`);
    const { ctx } = (await response.json()) as { ctx: TraceContext };
    expect(ctx.routeId).toBe('/api/items/:itemId');
    expect((await serverSpan(ctx.traceId)).name).toBe('GET /api/items/:itemId');
  });

  it('answers an unmatched path with STITCH_ERR_EDGE_NOT_FOUND in the envelope, its span named by the method', async () => {
    const response = await fetch(`${base}/nope/123?x=1`);
    expect(response.status).toBe(404);
    const { error } = (await response.json()) as { error: Record<string, string> };
    expect(error).toEqual({
      code: 'STITCH_ERR_EDGE_NOT_FOUND',
      message: 'No route matches GET /nope/123.',
      traceId: response.headers.get('x-trace-id'),
      requestId: response.headers.get('x-request-id'),
    });
    expect((await serverSpan(error.traceId ?? '')).name).toBe('GET');
  });

  it('answers a thrown error as STITCH_ERR_EDGE_INTERNAL without its message, a StitchError with its code', async () => {
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    const text = await boom.text();
    expect(text).not.toContain('secrets');
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('STITCH_ERR_EDGE_INTERNAL');
    expect((await serverSpan(boom.headers.get('x-trace-id') ?? '')).status.code).toBe(SpanStatusCode.ERROR);

    const forbidden = await fetch(`${base}/forbidden`);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('STITCH_ERR_EDGE_FORBIDDEN');
  });

  it("maps body-parser's client errors onto the registry: malformed JSON is 400, an oversized body 413", async () => {
    const malformed = await postInChunks(port, '/orders/1', '{"qty": 2');
    expect(malformed.status).toBe(400);
    expect((malformed.json as { error: { code: string } }).error.code).toBe('STITCH_ERR_EDGE_BAD_REQUEST');
    const large = await postInChunks(port, '/orders/1', JSON.stringify({ pad: 'x'.repeat(200) }));
    expect(large.status).toBe(413);
    expect(large.json).toMatchObject({ error: { code: 'STITCH_ERR_EDGE_PAYLOAD_TOO_LARGE', message: 'The request body is larger than 64 bytes.' } });
  });
});
