import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startStitch } from '../../setup/start-stitch.js';
import type { StitchHandle } from '../../setup/start-stitch.js';
import type { TracingOptionsInput } from '../../core/tracing/tracing-options.js';
import { withSpan } from '../../core/tracing/with-span.js';

// The OTLP .proto files of shared/, which sits beside the checkout (as in CI): <checkout>/../shared.
const PROTO_ROOT = fileURLToPath(new URL('../../../../../../shared/specs/otlp-proto', import.meta.url));
const protoRoot = new protobuf.Root();
protoRoot.resolvePath = (_origin, target) => join(PROTO_ROOT, target);
protoRoot.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
const ExportRequest = protoRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string; boolValue?: boolean };
}
interface DecodedSpan {
  name: string;
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  attributes: KeyValue[];
}
interface DecodedRequest {
  resourceSpans: { resource: { attributes: KeyValue[] }; scopeSpans: { spans: DecodedSpan[] }[] }[];
}

const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('hex');
const attr = (list: KeyValue[], key: string) => list.find((kv) => kv.key === key)?.value.stringValue;

type Behaviour = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A real OTLP/HTTP endpoint on port 0 whose answer each test chooses. */
async function receiver(behaviour: Behaviour): Promise<{ url: string; bodies: Buffer[]; server: Server }> {
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(body);
      behaviour(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, bodies, server };
}

const ok: Behaviour = (_req, res) => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();

const servers: Server[] = [];
let stitch: StitchHandle | undefined;
afterEach(async () => {
  await stitch?.shutdown();
  stitch = undefined;
  vi.unstubAllEnvs();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const warnings: { fields: Record<string, unknown>; message: string }[] = [];

function start(exportOptions: TracingOptionsInput['export'], env: Record<string, string> = {}): StitchHandle {
  warnings.length = 0;
  stitch = startStitch({
    serviceName: 'billing',
    logger: { warn: (fields, message) => void warnings.push({ fields, message }) },
    tracing: { export: { scheduledDelayMillis: 60_000, exportTimeoutMillis: 2000, shutdownTimeoutMillis: 500, ...exportOptions } },
    env,
  });
  return stitch;
}

function makeTrace(): void {
  withSpan('GET /invoices/:id', { root: true, attributes: { 'http.route': '/invoices/:id' } }, () => {
    withSpan('invoice.load', { attributes: { 'stitch.query.name': 'invoice.by_id', 'user.password': 'hunter2' } }, () => undefined);
  });
}

describe('export', () => {
  it('sends OTLP/protobuf that the official .proto decodes: spans, parent ids, resource and attributes, redacted', async () => {
    const { url, bodies } = await receiver(ok);
    // The environment startStitch loads its config from (the loader reads OTEL_RESOURCE_ATTRIBUTES).
    const handle = start({ exporter: 'otlp', protocol: 'http/protobuf', endpoint: url }, { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,service.name=ignored' });
    makeTrace();
    await handle.provider!.forceFlush();

    expect(bodies).toHaveLength(1);
    const decoded = ExportRequest.toObject(ExportRequest.decode(bodies[0]!), { longs: String, defaults: false }) as DecodedRequest;
    const resource = decoded.resourceSpans[0]!.resource.attributes;
    expect(attr(resource, 'service.name')).toBe('billing');
    expect(attr(resource, 'deployment.environment')).toBe('test');
    const spans = decoded.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const root = spans.find((s) => s.name === 'GET /invoices/:id')!;
    const child = spans.find((s) => s.name === 'invoice.load')!;
    expect(hex(child.parentSpanId)).toBe(hex(root.spanId));
    expect(hex(child.traceId)).toBe(hex(root.traceId));
    expect(hex(root.parentSpanId)).toBe('');
    expect(attr(child.attributes, 'stitch.query.name')).toBe('invoice.by_id');
    expect(attr(root.attributes, 'stitch.sampling.reason')).toBe('head');
    expect(attr(child.attributes, 'user.password')).not.toBe('hunter2');
    expect(handle.exportStats()).toMatchObject({ exported: 2, queued: 0, droppedExportFailed: 0 });
  });

  it('sends OTLP/JSON when the protocol is http/json', async () => {
    const { url, bodies } = await receiver((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const handle = start({ exporter: 'otlp', protocol: 'http/json', endpoint: url });
    makeTrace();
    await handle.provider!.forceFlush();
    const json = JSON.parse(bodies[0]!.toString()) as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] };
    expect(json.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.name).sort()).toEqual(['GET /invoices/:id', 'invoice.load']);
    expect(handle.exportStats().exported).toBe(2);
  });

  it('sends Zipkin v2 JSON with parent ids and the service name', async () => {
    const { url, bodies } = await receiver((_req, res) => res.writeHead(202).end());
    const handle = start({ exporter: 'zipkin', endpoint: url });
    makeTrace();
    await handle.provider!.forceFlush();
    const spans = JSON.parse(bodies[0]!.toString()) as { name: string; id: string; parentId?: string; localEndpoint: { serviceName: string } }[];
    const root = spans.find((s) => s.name === 'GET /invoices/:id')!;
    expect(spans.find((s) => s.name === 'invoice.load')?.parentId).toBe(root.id);
    expect(root.localEndpoint.serviceName).toBe('billing');
  });

  it('survives a dead backend: nothing throws, the lost spans are counted', async () => {
    const dead = await receiver(ok);
    await new Promise((resolve) => dead.server.close(resolve));
    const handle = start({ exporter: 'otlp', endpoint: dead.url, exportTimeoutMillis: 300 });
    makeTrace();
    await expect(handle.provider!.forceFlush()).resolves.toBeUndefined();
    expect(handle.exportStats()).toMatchObject({ exported: 0, droppedExportFailed: 2, failedExports: 1 });
    makeTrace();
    await handle.provider!.forceFlush();
    // Two failed batches, one warning: reported once per episode, with the number.
    expect(warnings.map((w) => w.fields)).toEqual([{ dropped_spans: 2 }]);
  });

  it('gives up on a hanging backend after the export timeout, and shutdown keeps its deadline', async () => {
    const { bodies } = await receiver(() => undefined).then(async (r) => {
      const handle = start({ exporter: 'otlp', endpoint: r.url, exportTimeoutMillis: 200, shutdownTimeoutMillis: 300 });
      makeTrace();
      await handle.provider!.forceFlush();
      expect(handle.exportStats()).toMatchObject({ droppedExportFailed: 2, failedExports: 1 });
      makeTrace();
      makeTrace();
      return r;
    });
    expect(bodies.length).toBeGreaterThan(0);
    const handle = stitch!;
    await handle.shutdown();
    // The second flush (4 spans) either timed out as an export or was cut off by the deadline: counted either way.
    const stats = handle.exportStats();
    expect(stats.droppedExportFailed + stats.droppedShutdown).toBe(6);
    expect(stats.exported).toBe(0);
  });

  it('counts a garbage answer as a failed export and never throws', async () => {
    const { url } = await receiver((_req, res) => res.writeHead(400, { 'content-type': 'application/x-protobuf' }).end('\xff\xfe not protobuf'));
    const handle = start({ exporter: 'otlp', endpoint: url });
    makeTrace();
    await expect(handle.provider!.forceFlush()).resolves.toBeUndefined();
    expect(handle.exportStats()).toMatchObject({ exported: 0, droppedExportFailed: 2 });
  });

  it('flushes many queued batches to a slow backend without losing any to the exporter’s concurrency limit', async () => {
    const { url, bodies } = await receiver((_req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(), 20));
    const handle = start({ exporter: 'otlp', endpoint: url, maxQueueSize: 64, maxExportBatchSize: 2 });
    for (let i = 0; i < 12; i += 1) withSpan(`s${i}`, { root: true }, () => undefined);
    await handle.provider!.forceFlush();
    expect(handle.exportStats()).toMatchObject({ exported: 12, droppedExportFailed: 0, failedExports: 0, queued: 0 });
    expect(bodies).toHaveLength(6);
  });

  it('bounds the queue: past maxQueueSize new spans are dropped and counted, not buffered', async () => {
    const { url } = await receiver(ok);
    const handle = start({ exporter: 'otlp', endpoint: url, maxQueueSize: 3, maxExportBatchSize: 3 });
    // Between two exports: spans end faster than the (long) schedule drains them.
    for (let i = 0; i < 5; i += 1) withSpan(`s${i}`, { root: true }, () => undefined);
    expect(handle.exportStats()).toMatchObject({ queued: 3, droppedQueueFull: 2 });
    await handle.provider!.forceFlush();
    expect(handle.exportStats()).toMatchObject({ queued: 0, exported: 3, droppedQueueFull: 2 });
  });
});
