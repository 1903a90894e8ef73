/**
 * Tenants never mix under load: 1,000 interleaved requests across 50 tenants, with random
 * delays, against a real Express server. Every log line, span and outbound header must carry
 * its own request's trace id and tenant — none another's.
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import http, { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, withContext } from '../../core/context/context-store.js';
import { newTraceId } from '../../core/context/ids.js';
import { installHttpOut } from '../http-out/install-http-out.js';
import { createLogger } from '../../pipeline/logs/create-logger.js';
import { startStitch } from '../../setup/start-stitch.js';
import { withSpan } from '../../core/tracing/with-span.js';
import { stitchExpress } from './express.js';

const REQUESTS = 1000;
const TENANTS = 50;
const IN_FLIGHT = 50;

const exporter = new InMemorySpanExporter();
// Budgets off: under a loaded CI machine their warnings are noise here, not the subject.
const stitch = startStitch({ serviceName: 'edge-concurrency-test', tracing: { budgets: { enabled: false } }, spanProcessors: [new SimpleSpanProcessor(exporter)] });
const lines: Record<string, unknown>[] = [];
const logger = createLogger({ service: 'edge-concurrency-test', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });

const tenantOf = (n: number): string => `00000000-0000-4000-8000-${String(n % TENANTS).padStart(12, '0')}`;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

// A seeded generator: the interleaving differs per request but is the same on every run.
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

interface Outbound {
  readonly traceparent: string | undefined;
  readonly baggage: string | undefined;
}
const outbound = new Map<string, Outbound>();
const servers: Server[] = [];
let base = '';
let uninstallHttpOut: () => void = () => {};
// node:http with keep-alive rather than fetch: the same coverage (HTTP out traces both) at a
// fraction of the CPU, which keeps this test quick on a shared two-core machine.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

async function listen(server: Server): Promise<number> {
  // A loaded machine can stall the loop for seconds: an idle keep-alive socket the server
  // closes just as the agent reuses it would fail a call for reasons this test is not about.
  server.keepAliveTimeout = 60_000;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  // The second service: records what each call brought.
  const downstreamPort = await listen(
    createServer((req, res) => {
      const n = new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? '';
      outbound.set(n, { traceparent: req.headers.traceparent as string | undefined, baggage: req.headers.baggage as string | undefined });
      setTimeout(() => res.end('ok'), Math.floor(random() * 3));
    }),
  );
  uninstallHttpOut = installHttpOut({ trustedDestinations: [`127.0.0.1:${downstreamPort}`] });

  const edge = stitchExpress();
  const app = express();
  app.use(edge.middleware);
  app.use((req, _res, next) => withContext({ tenantId: String(req.headers['x-tenant']) }, next));
  app.get('/work/:n', async (req, res) => {
    const n = req.params.n;
    await sleep(Math.floor(random() * 4));
    logger.info({ n }, 'work started');
    await withSpan('work.compute', { attributes: { n } }, async () => {
      await sleep(Math.floor(random() * 3));
      await get(`http://127.0.0.1:${downstreamPort}/call?n=${n}`);
      logger.info({ n }, 'called downstream');
    });
    res.json({ traceId: currentContext().traceId });
  });
  app.use(edge.notFound);
  app.use(edge.errorHandler);
  base = `http://127.0.0.1:${await listen(createServer(app))}`;
});

afterAll(async () => {
  uninstallHttpOut();
  agent.destroy();
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await stitch.shutdown();
});

describe('edge under concurrency', () => {
  it('keeps 1,000 interleaved requests of 50 tenants apart in every log line, span and outbound header', async () => {
    const expected = Array.from({ length: REQUESTS }, (_, n) => ({ n: String(n), traceId: newTraceId(), tenantId: tenantOf(n), requestId: `concurrency-${n}` }));
    let next = 0;
    const answered = new Map<string, string | null>();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < REQUESTS) {
          const request = expected[next++];
          if (request === undefined) break;
          const response = await get(`${base}/work/${request.n}`, {
            traceparent: `00-${request.traceId}-${'1'.repeat(16)}-01`,
            'x-request-id': request.requestId,
            'x-tenant': request.tenantId,
          });
          expect(response.status).toBe(200);
          expect(response.headers['x-trace-id']).toBe(request.traceId);
          answered.set(request.n, (JSON.parse(response.body) as { traceId: string }).traceId);
        }
      }),
    );
    await stitch.provider?.forceFlush();

    const byN = new Map(expected.map((request) => [request.n, request]));
    const byRequestId = new Map(expected.map((request) => [request.requestId, request]));
    const byTraceId = new Map(expected.map((request) => [request.traceId, request]));

    // The answer and the outbound call of each request carry its own trace; baggage its own tenant only.
    for (const request of expected) {
      expect(answered.get(request.n)).toBe(request.traceId);
      const call = outbound.get(request.n);
      expect(call?.traceparent?.split('-')[1], `traceparent of request ${request.n}`).toBe(request.traceId);
      expect(call?.baggage?.match(UUID), `baggage of request ${request.n}`).toEqual([request.tenantId]);
    }

    // Two log lines per request, each with its own request's trace, tenant and route.
    expect(lines).toHaveLength(2 * REQUESTS);
    for (const line of lines) {
      const request = byN.get(String(line.n));
      expect(line.trace_id, `log line of request ${String(line.n)}`).toBe(request?.traceId);
      expect(line.tenant_id).toBe(request?.tenantId);
      expect(line.request_id).toBe(request?.requestId);
      expect(line.route_id).toBe('/work/:n');
    }

    // Server, child and client spans: each in its own request's trace, with its tenant.
    const spans = exporter.getFinishedSpans();
    const servers = spans.filter((span) => span.kind === SpanKind.SERVER);
    const children = spans.filter((span) => span.name === 'work.compute');
    const clients = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(servers).toHaveLength(REQUESTS);
    expect(children).toHaveLength(REQUESTS);
    expect(clients).toHaveLength(REQUESTS);
    for (const span of servers) {
      const request = byRequestId.get(String(span.attributes['stitch.request_id']));
      expect(span.spanContext().traceId).toBe(request?.traceId);
      expect(span.attributes['tenant.id']).toBe(request?.tenantId);
      expect(span.name).toBe('GET /work/:n');
    }
    for (const span of children) expect(span.spanContext().traceId).toBe(byN.get(String(span.attributes.n))?.traceId);
    const serverSpanIds = new Set(servers.map((span) => span.spanContext().spanId));
    const childSpanIds = new Set(children.map((span) => span.spanContext().spanId));
    for (const span of children) expect(serverSpanIds.has(span.parentSpanContext?.spanId ?? '')).toBe(true);
    for (const span of clients) {
      expect(byTraceId.has(span.spanContext().traceId)).toBe(true);
      expect(childSpanIds.has(span.parentSpanContext?.spanId ?? '')).toBe(true);
    }
  }, 120_000);
});
