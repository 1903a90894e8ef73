import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import Fastify from 'fastify';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TraceContext } from '@stitch/contract';
import { currentContext, tryCurrentContext, withContext } from '../../core/context/context-store.js';
import { StitchError } from '../../core/errors/stitch-error.js';
import { startStitch } from '../../setup/start-stitch.js';
import { stitchFastify } from './fastify.js';

const exporter = new InMemorySpanExporter();
const stitch = startStitch({ serviceName: 'edge-fastify-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeEach(() => exporter.reset());

const TENANT = '44444444-4444-4444-8444-444444444444';

/** What each lifecycle step saw, per request id. */
const seen = new Map<string, Record<string, TraceContext | undefined>>();
function record(step: string): void {
  const ctx = tryCurrentContext();
  if (ctx === undefined) return;
  const steps = seen.get(ctx.requestId) ?? {};
  steps[step] = ctx;
  seen.set(ctx.requestId, steps);
}

const app = Fastify({ bodyLimit: 128 });
await app.register(stitchFastify);
// Auth as a callback-style hook: everything after `done` runs in the tenant's context.
app.addHook('onRequest', (request, _reply, done) => {
  const tenant = request.headers['x-tenant'];
  if (typeof tenant === 'string') withContext({ tenantId: tenant }, done);
  else done();
});
app.addHook('preParsing', async (_request, _reply, payload) => {
  record('preParsing');
  return payload;
});
app.addHook('preValidation', async () => record('preValidation'));
app.addHook('preHandler', (_request, _reply, done) => {
  record('preHandler');
  done();
});
// An async body parser that reads the stream itself, as many custom parsers do.
app.addContentTypeParser('text/plain', (_request, payload, done) => {
  let text = '';
  payload.on('data', (chunk: Buffer) => {
    record('parserData');
    text += chunk.toString();
  });
  payload.on('end', () => {
    record('parserEnd');
    done(null, text);
  });
});
app.post('/orders/:id', { schema: { params: { type: 'object', properties: { id: { type: 'integer' } } } } }, async (request) => {
  record('handler');
  await new Promise((resolve) => setTimeout(resolve, 5));
  record('afterAwait');
  return { ctx: currentContext(), body: request.body };
});
app.get('/boom', async () => {
  throw new Error('token=abc123');
});
app.get('/unauthenticated', async () => {
  throw new StitchError('STITCH_ERR_EDGE_UNAUTHENTICATED');
});
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as AddressInfo).port;
const base = `http://127.0.0.1:${port}`;
afterAll(async () => {
  await app.close();
  await stitch.shutdown();
});

/** Sends a body in two chunks 20 ms apart, so parsing finishes asynchronously. */
function postInChunks(path: string, body: string, contentType: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers } },
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

describe('Fastify 5 edge plugin', () => {
  it('runs hooks, the JSON body parser, preHandler and the handler in the request context, tenant included', async () => {
    const response = await postInChunks('/orders/5', JSON.stringify({ qty: 3 }), 'application/json', { 'x-tenant': TENANT });
    expect(response.status).toBe(200);
    const { ctx, body } = response.json as { ctx: TraceContext; body: unknown };
    expect(body).toEqual({ qty: 3 });
    expect(ctx.traceId).toBe(response.headers['x-trace-id']);
    expect(ctx.tenantId).toBe(TENANT);
    expect(ctx.routeId).toBe('/orders/:id');
    const steps = seen.get(ctx.requestId) ?? {};
    for (const step of ['preParsing', 'preValidation', 'preHandler', 'handler', 'afterAwait']) {
      expect(steps[step]?.traceId, step).toBe(ctx.traceId);
      expect(steps[step]?.tenantId, step).toBe(TENANT);
    }
    const span = await serverSpan(ctx.traceId);
    expect(span.name).toBe('POST /orders/:id');
    expect(span.attributes['tenant.id']).toBe(TENANT);
  });

  it("keeps a custom parser's stream callbacks in the request context", async () => {
    const response = await postInChunks('/orders/6', 'hello world', 'text/plain', { 'x-tenant': TENANT });
    const { ctx, body } = response.json as { ctx: TraceContext; body: unknown };
    expect(body).toBe('hello world');
    const steps = seen.get(ctx.requestId) ?? {};
    for (const step of ['parserData', 'parserEnd', 'handler']) {
      expect(steps[step]?.traceId, step).toBe(ctx.traceId);
      expect(steps[step]?.tenantId, step).toBe(TENANT);
    }
  });

  it('answers 404, validation errors, oversized bodies and thrown errors in the envelope', async () => {
    const notFound = await fetch(`${base}/missing?q=1`);
    expect(notFound.status).toBe(404);
    const missing = (await notFound.json()) as { error: Record<string, string> };
    expect(missing.error).toEqual({
      code: 'STITCH_ERR_EDGE_NOT_FOUND',
      message: 'No route matches GET /missing.',
      traceId: notFound.headers.get('x-trace-id'),
      requestId: notFound.headers.get('x-request-id'),
    });
    expect((await serverSpan(missing.error.traceId ?? '')).name).toBe('GET');

    const invalid = await postInChunks('/orders/abc', '{}', 'application/json');
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ error: { code: 'STITCH_ERR_EDGE_BAD_REQUEST' } });

    const large = await postInChunks('/orders/1', JSON.stringify({ pad: 'x'.repeat(300) }), 'application/json');
    expect(large.status).toBe(413);
    expect(large.json).toMatchObject({ error: { code: 'STITCH_ERR_EDGE_PAYLOAD_TOO_LARGE' } });

    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    const text = await boom.text();
    expect(text).not.toContain('abc123');
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'STITCH_ERR_EDGE_INTERNAL', message: 'Internal error.', traceId: boom.headers.get('x-trace-id') } });

    const unauthenticated = await fetch(`${base}/unauthenticated`);
    expect(unauthenticated.status).toBe(401);
    expect(((await unauthenticated.json()) as { error: { code: string } }).error.code).toBe('STITCH_ERR_EDGE_UNAUTHENTICATED');
  });

  it('continues a trusted traceparent and answers traceresponse', async () => {
    const response = await fetch(`${base}/missing`, { headers: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` } });
    expect(response.headers.get('x-trace-id')).toBe('1'.repeat(32));
    const span = await serverSpan('1'.repeat(32));
    expect(span.parentSpanContext?.spanId).toBe('2'.repeat(16));
    expect(response.headers.get('traceresponse')).toBe(`00-${'1'.repeat(32)}-${span.spanContext().spanId}-01`);
  });
});
