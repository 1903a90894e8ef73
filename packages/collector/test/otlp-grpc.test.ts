import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { createRequire } from 'node:module';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { credentials, makeGenericClientConstructor, Metadata, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { LogsResponseSchema, SpanAttr, TraceResponseSchema } from '@stitch/contract';
import { currentContext, runInNewContext, startStitch, withSpan } from '@stitch/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore, tokenFilePath } from '../src/auth/token-store.js';
import { loadCollectorConfig } from '../src/config/collector-config.js';
import { ERROR_CODE_TRAILER, retryDelaySecondsOf } from '../src/ingest/grpc-status.js';
import { LogsRequest, TracesRequest, TracesResponse } from '../src/otlp/decode.js';
import { newTraceId } from '../src/internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../src/internal/test-collector.js';

const TENANT = '7a1c7a52-3a0e-4a4b-9d59-1d8d2f0f6a22';
const OTHER = '7a1c7a52-3a0e-4a4b-9d59-1d8d2f0f6a33';
let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector({ maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await collector.stop();
});

/** The official gRPC exporter, through an SDK tracer provider: a server span and a failed child. */
async function exportTrace(exporter: SpanExporter, service: string, tenantId = TENANT): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('test');
  const root = tracer.startSpan('GET /orders/:id', { kind: SpanKind.SERVER, attributes: { [SpanAttr.tenantId]: tenantId, [SpanAttr.routeId]: '/orders/:id' } });
  const child = tracer.startSpan('orders.load', { attributes: { [SpanAttr.tenantId]: tenantId } }, trace.setSpan(context.active(), root));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

// A plain gRPC client of the OTLP services, sending bytes as they are (garbage included).
const Traces = makeGenericClientConstructor(
  { Export: { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b } },
  'TraceService',
);
const Logs = makeGenericClientConstructor(
  { Export: { path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b } },
  'LogsService',
);
type Answer = { ok: true; body: Buffer } | { ok: false; error: ServiceError };

function call(client: InstanceType<typeof Traces>, body: Buffer, metadata = new Metadata()): Promise<Answer> {
  return new Promise((resolve) => {
    (client as unknown as { Export: (b: Buffer, m: Metadata, cb: (e: ServiceError | null, r?: Buffer) => void) => void }).Export(body, metadata, (error, response) =>
      resolve(error ? { ok: false, error } : { ok: true, body: response! }),
    );
  });
}

function spansBody(traceId: string, count = 1, tenantId = TENANT): Buffer {
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: Buffer.from(traceId, 'hex'),
    spanId: Buffer.alloc(8, i + 1),
    name: `raw.op.${i}`,
    startTimeUnixNano: BigInt(Date.now()) * 1_000_000n,
    endTimeUnixNano: BigInt(Date.now() + 2) * 1_000_000n,
    attributes: [{ key: 'tenant.id', value: { stringValue: tenantId } }],
  }));
  const message = TracesRequest.fromObject({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] }, scopeSpans: [{ spans }] }],
  });
  return Buffer.from(TracesRequest.encode(message).finish());
}

async function spanCount(c: TestCollector, traceId: string): Promise<number> {
  const rows = await c.store.query(`SELECT count(*) AS n FROM spans WHERE trace_id = ?`, [traceId]);
  return Number(rows[0]!.n);
}

describe('OTLP/gRPC into stitch serve', () => {
  it.each([
    ['exporter-trace-otlp-grpc', {}],
    ['exporter-trace-otlp-grpc with gzip', { compression: 'gzip' }],
  ])('%s delivers a trace that `stitch trace` then shows as a tree', async (_name, extra) => {
    const exporter = new OTLPTraceExporter({ url: `http://${collector.grpcAddress}`, ...extra } as ConstructorParameters<typeof OTLPTraceExporter>[0]);
    const traceId = await exportTrace(exporter as unknown as SpanExporter, 'orders-grpc');
    const res = await collector.get(`/api/traces/${traceId}`, collector.token('traces:read', TENANT));
    expect(res.status).toBe(200);
    const body = TraceResponseSchema.parse(await res.json());
    expect(body.spans.map((s) => [s.name, s.depth])).toEqual([
      ['GET /orders/:id', 0],
      ['orders.load', 1],
    ]);
    expect(body.spans.every((s) => s.tenantId === TENANT && s.service === 'orders-grpc')).toBe(true);
    expect(body.spans[1]!.statusCode).toBe(2);
    expect(body.spans[0]!.route).toBe('/orders/:id');
  });

  it('takes log records on LogsService/Export, which `stitch logs --tenant` returns', async () => {
    const client = new Logs(collector.grpcAddress!, credentials.createInsecure());
    try {
      const message = LogsRequest.fromObject({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing-grpc' } }] },
            scopeLogs: [{ logRecords: [{ timeUnixNano: BigInt(Date.now()) * 1_000_000n, severityNumber: 9, body: { stringValue: 'charged over grpc' }, attributes: [{ key: 'tenant_id', value: { stringValue: TENANT } }] }] }],
          },
        ],
      });
      const answer = await call(client, Buffer.from(LogsRequest.encode(message).finish()));
      expect(answer.ok).toBe(true);
      const res = await collector.get(`/api/logs?tenant=${TENANT}`, collector.token('logs:read', TENANT));
      const logs = LogsResponseSchema.parse(await res.json()).logs;
      expect(logs.find((l) => l.body === 'charged over grpc')?.service).toBe('billing-grpc');
    } finally {
      client.close();
    }
  });

  it('answers OK with partial_success counting the spans it rejected', async () => {
    const client = new Traces(collector.grpcAddress!, credentials.createInsecure());
    try {
      const message = TracesRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(3), spanId: Buffer.alloc(8, 1), name: 'short id' }] }] }] });
      const answer = await call(client, Buffer.from(TracesRequest.encode(message).finish()));
      expect(answer.ok).toBe(true);
      const decoded = TracesResponse.toObject(TracesResponse.decode((answer as { body: Buffer }).body), { longs: Number });
      expect(decoded).toMatchObject({ partialSuccess: { rejectedSpans: 1 } });
    } finally {
      client.close();
    }
  });
});

describe('`stitch serve`, the command', () => {
  it('says where it takes OTLP/gRPC, and the official exporter delivers a trace there that its API answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stitch-grpc-serve-'));
    const data = join(dir, 'store.duckdb');
    const token = new TokenStore(tokenFilePath(data)).create({ scopes: ['traces:read'], tenantId: TENANT }).token;
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.ts');
    const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, main, 'serve', '--port', '0', '--data', data], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const [url, grpcAddress] = await new Promise<[string, string]>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /receiving OTLP\/HTTP on (http:\/\/\S+)\/v1\/traces and \/v1\/logs, OTLP\/gRPC on (\S+);/.exec(err);
          if (m) resolve([m[1]!, m[2]!]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
      });
      const traceId = await exportTrace(new OTLPTraceExporter({ url: `http://${grpcAddress}` }) as unknown as SpanExporter, 'served-grpc');
      const res = await fetch(`${url}/api/traces/${traceId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(TraceResponseSchema.parse(await res.json()).spans.map((s) => [s.name, s.service])).toEqual([
        ['GET /orders/:id', 'served-grpc'],
        ['orders.load', 'served-grpc'],
      ]);
      child.kill('SIGTERM');
      expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the kernel through OpenTelemetry’s gRPC exporter (docs/exporting.md)', () => {
  it('createStitch-style export with the gRPC exporter as the kernel’s exporter: spans land with their tenant and parentage', async () => {
    const stitch = startStitch({
      serviceName: 'kernel-grpc',
      env: {},
      exporter: new OTLPTraceExporter({ url: `http://${collector.grpcAddress}` }) as unknown as SpanExporter,
    });
    let traceId = '';
    runInNewContext({ name: 'GET /kernel-grpc', tenantId: TENANT, routeId: '/kernel-grpc' }, () => {
      traceId = currentContext().traceId;
      withSpan('kernel.grpc.child', () => undefined);
    });
    await stitch.shutdown();
    const res = await collector.get(`/api/traces/${traceId}`, collector.token('traces:read', TENANT));
    expect(res.status).toBe(200);
    const body = TraceResponseSchema.parse(await res.json());
    const child = body.spans.find((s) => s.name === 'kernel.grpc.child');
    expect(child).toMatchObject({ tenantId: TENANT, service: 'kernel-grpc' });
    expect(child!.depth).toBeGreaterThan(0);
  });
});

describe('bad input over OTLP/gRPC', () => {
  it('answers INVALID_ARGUMENT to garbage bytes, stores nothing, and keeps serving', async () => {
    const client = new Traces(collector.grpcAddress!, credentials.createInsecure());
    try {
      const before = collector.stats.undecodableRequests;
      const answer = await call(client, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]));
      expect(answer.ok).toBe(false);
      const error = (answer as { error: ServiceError }).error;
      expect(error.code).toBe(GrpcCode.INVALID_ARGUMENT);
      expect(error.details).toMatch(/STITCH_ERR_COLLECTOR_UNDECODABLE/);
      expect(error.metadata.get(ERROR_CODE_TRAILER)).toEqual(['STITCH_ERR_COLLECTOR_UNDECODABLE']);
      expect(collector.stats.undecodableRequests).toBe(before + 1);
      // Still up: the next good message is stored.
      const traceId = newTraceId();
      expect((await call(client, spansBody(traceId))).ok).toBe(true);
      expect(await spanCount(collector, traceId)).toBe(1);
    } finally {
      client.close();
    }
  });

  it.each([
    ['a message', {}],
    // grpc-js's gzip, small on the wire: refused as it inflates past the limit.
    ['a gzip message that inflates', { 'grpc.default_compression_algorithm': 2 }],
  ])('answers RESOURCE_EXHAUSTED, without RetryInfo, to %s over maxBodyBytes, counts the refusal, and stores none of it', async (_name, clientOptions) => {
    const client = new Traces(collector.grpcAddress!, credentials.createInsecure(), clientOptions);
    const tooLarge = '413 STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE';
    const before = collector.stats.refusedRequests.get(tooLarge) ?? 0;
    try {
      const traceId = newTraceId();
      const big = spansBody(traceId, 1500);
      expect(big.length).toBeGreaterThan(64 * 1024);
      const answer = await call(client, big);
      expect(answer.ok).toBe(false);
      const error = (answer as { error: ServiceError }).error;
      expect(error.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
      expect(error.details).toMatch(/larger than 65536 bytes/);
      expect(error.metadata.get(ERROR_CODE_TRAILER)).toEqual(['STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE']);
      expect(error.metadata.get('grpc-status-details-bin')).toEqual([]);
      // Counted as OTLP/HTTP counts its 413 (the ingest stats, and so the collector's metrics).
      expect(collector.stats.refusedRequests.get(tooLarge)).toBe(before + 1);
      expect(await spanCount(collector, traceId)).toBe(0);
      expect((await call(client, spansBody(newTraceId()))).ok).toBe(true);
    } finally {
      client.close();
    }
  });
});

describe('one ingest path for OTLP/HTTP and OTLP/gRPC', () => {
  it('shares the per-sender slots with OTLP/HTTP: a sender holding them gets RESOURCE_EXHAUSTED with RetryInfo', async () => {
    const small = await startTestCollector({ maxInflightRequests: 10, maxInflightPerSender: 2, retryAfterSeconds: 4 });
    const held: Socket[] = [];
    const client = new Traces(small.grpcAddress!, credentials.createInsecure());
    try {
      // Two OTLP/HTTP uploads from 127.0.0.1 that sent their head and wait: both its slots taken.
      const { hostname, port } = new URL(small.url);
      for (let i = 0; i < 2; i++) {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = createConnection({ host: hostname, port: Number(port) }, () => resolve(s));
          s.once('error', reject);
        });
        socket.write(`POST /v1/traces HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"resourceSpans":`);
        held.push(socket);
      }
      await expect.poll(async () => {
        const answer = await call(client, spansBody(newTraceId()));
        return answer.ok ? 'ok' : answer.error.code;
      }).toBe(GrpcCode.RESOURCE_EXHAUSTED);
      const traceId = newTraceId();
      const refused = await call(client, spansBody(traceId));
      expect(refused.ok).toBe(false);
      const error = (refused as { error: ServiceError }).error;
      expect(error.details).toMatch(/STITCH_ERR_COLLECTOR_QUEUE_FULL/);
      const [details] = error.metadata.get('grpc-status-details-bin') as Buffer[];
      expect(retryDelaySecondsOf(details!)).toBe(4);
      expect(await spanCount(small, traceId)).toBe(0);
      // The slots free once the uploads end, and the same sender gets in again.
      for (const socket of held.splice(0)) socket.destroy();
      await expect.poll(async () => (await call(client, spansBody(newTraceId()))).ok).toBe(true);
    } finally {
      for (const socket of held) socket.destroy();
      client.close();
      await small.stop();
    }
  });

  it('reads the ingest token from the authorization metadata, and a tenant-bound token forces its tenant', async () => {
    const guarded = await startTestCollector({ ingestAuth: 'required', maxBodyBytes: 64 * 1024 });
    try {
      const url = `http://${guarded.grpcAddress}`;
      const client = new Traces(guarded.grpcAddress!, credentials.createInsecure());
      try {
        const denied = await call(client, spansBody(newTraceId()));
        expect(denied.ok).toBe(false);
        expect((denied as { error: ServiceError }).error.code).toBe(GrpcCode.UNAUTHENTICATED);
        // Decided on the metadata, before the message is read: an oversize one is refused for
        // its missing token, not for its size (which grpc-js would only see reading it).
        const big = await call(client, spansBody(newTraceId(), 1500));
        expect((big as { error: ServiceError }).error.code).toBe(GrpcCode.UNAUTHENTICATED);
        expect(guarded.stats.receivedBytes.protobuf).toBe(0);
        expect(guarded.stats.refusedRequests.get('401 STITCH_ERR_COLLECTOR_UNAUTHENTICATED')).toBe(2);
        // A sender cannot hand itself a tenant through the metadata key the collector uses inside.
        const forged = new Metadata();
        forged.set('authorization', `Bearer ${guarded.token('ingest:write')}`);
        forged.set('x-stitch-internal-pinned-tenant', OTHER);
        const claimed = newTraceId();
        expect((await call(client, spansBody(claimed), forged)).ok).toBe(true);
        const claimedRows = await guarded.store.query(`SELECT DISTINCT tenant_id FROM spans WHERE trace_id = ?`, [claimed]);
        expect(claimedRows.map((r) => r.tenant_id)).toEqual([TENANT]);
        const readOnly = new Metadata();
        readOnly.set('authorization', `Bearer ${guarded.token('traces:read', TENANT)}`);
        const forbidden = await call(client, spansBody(newTraceId()), readOnly);
        expect((forbidden as { error: ServiceError }).error.code).toBe(GrpcCode.PERMISSION_DENIED);
      } finally {
        client.close();
      }
      // The official exporter's `metadata`, as OTEL_EXPORTER_OTLP_HEADERS would give it.
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${guarded.token('ingest:write', TENANT)}`);
      const exporter = new OTLPTraceExporter({ url, metadata } as ConstructorParameters<typeof OTLPTraceExporter>[0]);
      // The spans claim another tenant: they are stored under the token's.
      const traceId = await exportTrace(exporter as unknown as SpanExporter, 'forger', OTHER);
      const rows = await guarded.store.query(`SELECT DISTINCT tenant_id FROM spans WHERE trace_id = ?`, [traceId]);
      expect(rows.map((r) => r.tenant_id)).toEqual([TENANT]);
    } finally {
      await guarded.stop();
    }
  });

  it('forwards what it accepted over gRPC to the upstream, as OTLP/HTTP protobuf', async () => {
    const received: { path: string; type: string; body: Buffer }[] = [];
    const upstream = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        received.push({ path: req.url ?? '', type: String(req.headers['content-type']), body: req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const forwarding = await startTestCollector({ forward: { url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` } });
    const client = new Traces(forwarding.grpcAddress!, credentials.createInsecure());
    try {
      const traceId = newTraceId();
      expect((await call(client, spansBody(traceId))).ok).toBe(true);
      await expect.poll(() => received.length).toBe(1);
      expect(received[0]).toMatchObject({ path: '/v1/traces', type: 'application/x-protobuf' });
      const forwarded = TracesRequest.toObject(TracesRequest.decode(received[0]!.body), { bytes: String }) as { resourceSpans: { scopeSpans: { spans: { traceId: string }[] }[] }[] };
      expect(Buffer.from(forwarded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId, 'base64').toString('hex')).toBe(traceId);
    } finally {
      client.close();
      await forwarding.stop();
      upstream.close();
    }
  });

  it('stops without waiting on a client: a call whose message never comes is cut after shutdownGraceMillis', async () => {
    const c = await startTestCollector({ shutdownGraceMillis: 100 });
    const session = http2Connect(`http://${c.grpcAddress}`);
    // The cut arrives as a GOAWAY, which the session reports as an error.
    session.on('error', () => undefined);
    try {
      // A call's head, and then nothing: the receiver waits for its message.
      const stream = session.request({ ':method': 'POST', ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export', 'content-type': 'application/grpc', te: 'trailers' });
      const ended = new Promise<void>((resolve) => {
        stream.once('close', resolve);
        stream.once('error', () => resolve());
      });
      await new Promise((resolve) => stream.once('ready', resolve));
      await new Promise((resolve) => setTimeout(resolve, 50)); // the head reaches the server
      await c.stop();
      // The server cut it rather than waiting for ever.
      await ended;
      expect(stream.closed).toBe(true);
    } finally {
      session.destroy();
    }
  });

  it('says which port is taken and how to choose another, and serves no gRPC with grpcPort off', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(startTestCollector({ grpcPort: port })).rejects.toThrow(new RegExp(`OTLP/gRPC cannot listen on 127\\.0\\.0\\.1:${port}.*grpcPort`));
      const plain = await startTestCollector({ grpcPort: 'off' });
      expect(plain.grpcAddress).toBeNull();
      expect((await fetch(`${plain.url}/healthz`)).status).toBe(200);
      await plain.stop();
    } finally {
      taken.close();
    }
  });

  it('listens on 4317 unless told otherwise: a free port beside a free HTTP port, a flag or STITCH_GRPC_PORT, or off', () => {
    expect(loadCollectorConfig({}, {}).grpcPort).toBe(4317);
    expect(loadCollectorConfig({ port: 0 }, {}).grpcPort).toBe(0);
    expect(loadCollectorConfig({}, { STITCH_GRPC_PORT: '14317' }).grpcPort).toBe(14317);
    expect(loadCollectorConfig({}, { STITCH_GRPC_PORT: 'off' }).grpcPort).toBe('off');
    expect(loadCollectorConfig({ grpcPort: 5317 }, { STITCH_GRPC_PORT: 'off' }).grpcPort).toBe(5317);
    expect(() => loadCollectorConfig({}, { STITCH_GRPC_PORT: 'grpc' })).toThrow(/grpcPort/);
  });
});
