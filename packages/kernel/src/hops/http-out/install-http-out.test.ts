import { once } from 'node:events';
import http, { request as namedRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, context, defaultTextMapGetter } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, runInContext, runInNewContext } from '../../core/context/context-store.js';
import { StitchError } from '../../core/errors/stitch-error.js';
import { parseTraceparent } from '../../core/propagation/traceparent.js';
import { stitchPropagator } from '../../core/propagation/stitch-propagator.js';
import { startStitch } from '../../setup/start-stitch.js';
import { installHttpOut } from './install-http-out.js';

const exporter = new InMemorySpanExporter();
// Budget warnings are the budgets' tests' business; 200 concurrent calls on a shared machine trip them.
const stitch = startStitch({ serviceName: 'http-out-test', spanProcessors: [new SimpleSpanProcessor(exporter)], logger: { warn: () => {} } });

const TENANT = '11111111-1111-4111-8111-111111111111';
const ACTOR = '22222222-2222-4222-8222-222222222222';

/** What the receiving server saw: every traceparent line, and tracestate/baggage as joined by Node. */
interface Seen {
  traceparents: string[];
  tracestate?: string;
  baggage?: string;
}

async function startServer(): Promise<{ server: http.Server; origin: string; port: number }> {
  const server = http.createServer((req, res) => {
    const lines: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === 'traceparent') lines.push(req.rawHeaders[i + 1] as string);
    const status = /^\/status\/(\d{3})/.exec(req.url ?? '')?.[1];
    const seen: Seen = { traceparents: lines, tracestate: req.headers.tracestate as string | undefined, baggage: req.headers.baggage as string | undefined };
    res.statusCode = status === undefined ? 200 : Number(status);
    res.setHeader('content-type', 'application/json').end(JSON.stringify(seen));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, port };
}

let trusted: Awaited<ReturnType<typeof startServer>>;
let untrusted: Awaited<ReturnType<typeof startServer>>;
let uninstall: () => void = () => {};

beforeAll(async () => {
  trusted = await startServer();
  untrusted = await startServer();
});
afterEach(() => {
  uninstall();
  exporter.reset();
});
afterAll(async () => {
  trusted.server.close();
  untrusted.server.close();
  await stitch.shutdown();
});

const install = (trustedDestinations: string[] = []): void => {
  uninstall = installHttpOut({ trustedDestinations });
};

async function viaFetch(url: string, init?: RequestInit): Promise<Seen> {
  const res = await fetch(url, init);
  return (await res.json()) as Seen;
}

async function viaHttp(url: string, fn: typeof http.request = http.request, headers: Record<string, string> = {}): Promise<Seen> {
  const req = fn(url, { headers });
  req.end();
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return JSON.parse(body) as Seen;
}

async function viaGet(url: string): Promise<Seen> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += String(chunk)));
        res.on('end', () => resolve(JSON.parse(body) as Seen));
      })
      .on('error', reject);
  });
}

const clientSpans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name.startsWith('HTTP'));

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

describe('installHttpOut()', () => {
  it.each([
    ['fetch', (url: string) => viaFetch(url)],
    ['http.request', (url: string) => viaHttp(url)],
    ['named import request', (url: string) => viaHttp(url, namedRequest)],
    ['http.get', (url: string) => viaGet(url)],
  ])('%s carries exactly one traceparent: the client span id in the current trace', async (_name, call) => {
    install();
    // Spans are checked after the request's root span ended: a tail sampler may hold them till then.
    const { seen, ctx } = await runInNewContext({ name: 'req', tenantId: TENANT }, async () => ({
      seen: await call(`${untrusted.origin}/hello?token=secret`),
      ctx: currentContext(),
    }));
    const parsed = parseTraceparent(only(seen.traceparents));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const span = only(clientSpans());
    expect(parsed.traceparent.traceId).toBe(ctx.traceId);
    expect(parsed.traceparent.parentId).toBe(span.spanContext().spanId);
    expect(span.parentSpanContext?.spanId).toBe(ctx.spanId);
    // Sampled, and (Level 2) random: this process generated the trace id.
    expect(parsed.traceparent.traceFlags).toBe(TraceFlags.SAMPLED | 0x02);
    expect(span.name).toBe('HTTP GET');
    expect(span.attributes).toMatchObject({
      'server.address': '127.0.0.1',
      'server.port': untrusted.port,
      'http.response.status_code': 200,
      'url.full': `${untrusted.origin}/hello`,
      'tenant.id': TENANT,
      'stitch.component': 'external',
    });
  });

  it('gives every call a new span id', async () => {
    install();
    await runInNewContext({ name: 'req' }, async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const a = parseTraceparent((await viaFetch(untrusted.origin)).traceparents[0]);
        const b = parseTraceparent((await viaHttp(untrusted.origin)).traceparents[0]);
        for (const p of [a, b]) if (p.ok) ids.add(p.traceparent.parentId);
      }
      expect(ids.size).toBe(6);
    });
  });

  it('propagates a not-sampled decision and the tracestate', async () => {
    install();
    // The parent arrives as a real one does: extracted from a caller's headers (not random: 00).
    const parent = stitchPropagator.extract(
      ROOT_CONTEXT,
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00', tracestate: 'vendor=opaque value' },
      defaultTextMapGetter,
    );
    await context.with(parent, async () => {
      for (const seen of [await viaFetch(untrusted.origin), await viaHttp(untrusted.origin)]) {
        const parsed = parseTraceparent(only(seen.traceparents));
        expect(parsed.ok && parsed.traceparent.traceFlags).toBe(TraceFlags.NONE);
        expect(parsed.ok && parsed.traceparent.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
        expect(seen.tracestate).toBe('vendor=opaque value');
      }
    });
  });

  it('sends tenant baggage to trusted destinations only', async () => {
    install([`127.0.0.1:${trusted.port}`]);
    await runInContext(
      { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true, requestId: 'request-0001', tenantId: TENANT, actorId: ACTOR, baggage: {} },
      async () => {
        for (const call of [viaFetch, viaHttp]) {
          expect((await call(untrusted.origin)).baggage).toBeUndefined();
          expect((await call(trusted.origin)).baggage).toBe(`tenant.id=${TENANT},actor.id=${ACTOR}`);
        }
      },
    );
  });

  it('never adds a second traceparent or overrides the host\'s baggage', async () => {
    install([`127.0.0.1:${trusted.port}`]);
    const own = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await runInNewContext({ name: 'req', tenantId: TENANT }, async () => {
      expect((await viaFetch(trusted.origin, { headers: { traceparent: own, baggage: 'k=v' } })).traceparents).toEqual([own]);
      const seen = await viaHttp(trusted.origin, http.request, { traceparent: own });
      expect(seen.traceparents).toEqual([own]);
      expect((await viaHttp(trusted.origin, http.request, { baggage: 'k=v' })).baggage).toBe('k=v');
    });
  });

  it('keeps 200 concurrent calls in 20 tenants apart', async () => {
    install([`127.0.0.1:${trusted.port}`]);
    const tenants = Array.from({ length: 20 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        runInNewContext({ name: `req ${i}`, tenantId: tenants[i % 20] }, async () => {
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 13));
          const seen = i % 2 === 0 ? await viaFetch(trusted.origin) : await viaHttp(trusted.origin);
          const parsed = parseTraceparent(only(seen.traceparents));
          return { expected: currentContext(), traceId: parsed.ok ? parsed.traceparent.traceId : undefined, baggage: seen.baggage };
        }),
      ),
    );
    for (const { expected, traceId, baggage } of results) {
      expect(traceId).toBe(expected.traceId);
      expect(baggage).toBe(`tenant.id=${expected.tenantId}`);
    }
    expect(new Set(results.map((r) => r.traceId)).size).toBe(200);
  });

  it('records a network error on the span and still rejects to the caller as before', async () => {
    install();
    const closed = net.createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await runInNewContext({ name: 'req' }, async () => {
      const fetchError = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
      expect(fetchError).toBeInstanceOf(TypeError);
      expect((fetchError as TypeError & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
      const req = http.request(`http://127.0.0.1:${port}/`);
      req.end();
      const [httpError] = (await once(req, 'error')) as [NodeJS.ErrnoException];
      expect(httpError.code).toBe('ECONNREFUSED');
    });
    const spans = clientSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBe('ECONNREFUSED');
    }
  });

  it('marks a 5xx answer as an error span and returns the response untouched', async () => {
    install();
    await runInNewContext({ name: 'req' }, async () => {
      expect((await fetch(`${untrusted.origin}/status/503`)).status).toBe(503);
    });
    const span = only(clientSpans());
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['http.response.status_code']).toBe(503);
  });

  it('records a response cut off mid-body as an error, and the caller still sees its own error', async () => {
    install();
    const cutting = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
        setImmediate(() => socket.destroy());
      });
    });
    cutting.listen(0, '127.0.0.1');
    await once(cutting, 'listening');
    const { port } = cutting.address() as AddressInfo;
    try {
      await runInNewContext({ name: 'req' }, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        await expect(res.text()).rejects.toThrow();
        const req = http.get(`http://127.0.0.1:${port}/`);
        const [response] = (await once(req, 'response')) as [http.IncomingMessage];
        // Node itself emits 'aborted' as an error on the response; HTTP out adds no listener of its own.
        const responseError = once(response, 'error');
        response.resume();
        expect(((await responseError) as [Error])[0].message).toBe('aborted');
        expect(response.complete).toBe(false);
      });
    } finally {
      cutting.close();
    }
    const spans = clientSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('leaves the exporters\' own requests alone (suppressed tracing)', async () => {
    install();
    await runInNewContext({ name: 'req' }, () =>
      context.with(suppressTracing(context.active()), async () => {
        expect((await viaFetch(untrusted.origin)).traceparents).toEqual([]);
        expect((await viaHttp(untrusted.origin)).traceparents).toEqual([]);
      }),
    );
    expect(clientSpans()).toEqual([]);
  });

  it('leaves requests alone outside any trace and after uninstall', async () => {
    install();
    expect((await viaFetch(untrusted.origin)).traceparents).toEqual([]);
    uninstall();
    await runInNewContext({ name: 'req' }, async () => {
      expect((await viaFetch(untrusted.origin)).traceparents).toEqual([]);
      expect((await viaHttp(untrusted.origin)).traceparents).toEqual([]);
    });
    expect(http.request.name).toBe('request');
    expect(clientSpans()).toEqual([]);
  });

  it('rejects invalid options with a coded error', () => {
    expect(() => installHttpOut({ trustedDestinations: ['ftp://x/y'] })).toThrowError(StitchError);
    try {
      installHttpOut({ trustedDestinations: ['https://ok.example', 'not a host'] });
    } catch (error) {
      expect((error as StitchError).code).toBe('STITCH_ERR_CONFIG_INVALID');
      expect((error as StitchError).message).toContain('httpOut.trustedDestinations.1');
    }
  });

  it('sends one traceparent when @opentelemetry/instrumentation-undici was enabled first', async () => {
    const undici = new UndiciInstrumentation();
    undici.enable();
    try {
      install();
      await runInNewContext({ name: 'req' }, async () => {
        for (let i = 0; i < 3; i++) expect((await viaFetch(untrusted.origin)).traceparents).toHaveLength(1);
      });
    } finally {
      undici.disable();
    }
  });

  it('steps aside from the first request when instrumentation-undici is enabled after it: one traceparent, one span (its)', async () => {
    install();
    const undici = new UndiciInstrumentation();
    undici.enable();
    try {
      await runInNewContext({ name: 'req' }, async () => {
        for (let i = 0; i < 3; i++) expect((await viaFetch(untrusted.origin)).traceparents).toHaveLength(1);
      });
      const spans = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
      expect(spans.map((s) => s.instrumentationScope.name)).toEqual(Array(3).fill('@opentelemetry/instrumentation-undici'));
      expect(spans.map((s) => s.attributes['stitch.component'])).toEqual(['external', 'external', 'external']);
    } finally {
      undici.disable();
    }
  });
});
