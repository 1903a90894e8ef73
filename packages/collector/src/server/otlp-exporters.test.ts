import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPLogExporter as LogsHttpExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as TraceHttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TraceProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SpanAttr, TraceResponseSchema, LogsResponseSchema } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const TENANT = '6f1c7a52-3a0e-4a4b-9d59-1d8d2f0f6a11';
let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector.stop();
});

async function sendTrace(exporter: SpanExporter, service: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer: Tracer = provider.getTracer('test');
  const root = tracer.startSpan('GET /orders/:id', {
    kind: SpanKind.SERVER,
    attributes: { [SpanAttr.tenantId]: TENANT, [SpanAttr.routeId]: '/orders/:id' },
  });
  const traceId = root.spanContext().traceId;
  // No context manager is registered here, so the parent is passed explicitly.
  const child = tracer.startSpan(
    'orders.load',
    { attributes: { [SpanAttr.tenantId]: TENANT, [SpanAttr.queryName]: 'orders.load' } },
    trace.setSpan(context.active(), root),
  );
  child.addEvent('stitch.perf_violation', { observed_ms: 250 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return traceId;
}

describe('the official OpenTelemetry JS exporters', () => {
  it.each([
    ['exporter-trace-otlp-http (JSON)', (url: string) => new TraceHttpExporter({ url })],
    ['exporter-trace-otlp-proto (protobuf)', (url: string) => new TraceProtoExporter({ url })],
    ['exporter-trace-otlp-proto with gzip', (url: string) => new TraceProtoExporter({ url, compression: 'gzip' as never })],
  ])('%s delivers a trace that `stitch trace` then shows as a tree', async (_name, make) => {
    const traceId = await sendTrace(make(`${collector.url}/v1/traces`), 'orders');
    const res = await collector.get(`/api/traces/${traceId}`, collector.token('traces:read', TENANT));
    expect(res.status).toBe(200);
    const body = TraceResponseSchema.parse(await res.json());
    expect(body.spans.map((s) => [s.name, s.depth])).toEqual([
      ['GET /orders/:id', 0],
      ['orders.load', 1],
    ]);
    const child = body.spans[1]!;
    expect(child.tenantId).toBe(TENANT);
    expect(child.service).toBe('orders');
    expect(child.statusCode).toBe(2);
    expect(child.perfViolation).toBe(true);
    expect(child.events[0]?.name).toBe('stitch.perf_violation');
    expect(body.spans[0]!.route).toBe('/orders/:id');
  });

  it.each([
    ['exporter-logs-otlp-http (JSON)', (url: string) => new LogsHttpExporter({ url })],
    ['exporter-logs-otlp-proto (protobuf)', (url: string) => new LogsProtoExporter({ url })],
  ])('%s delivers log records that `stitch logs --tenant` returns', async (name, make) => {
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'billing' }),
      processors: [new SimpleLogRecordProcessor({ exporter: make(`${collector.url}/v1/logs`) })],
    });
    provider.getLogger('test').emit({ severityNumber: 9, severityText: 'INFO', body: `charged via ${name}`, attributes: { tenant_id: TENANT } });
    await provider.forceFlush();
    await provider.shutdown();
    const res = await collector.get(`/api/logs?tenant=${TENANT}`, collector.token('logs:read', TENANT));
    const body = LogsResponseSchema.parse(await res.json());
    expect(body.logs.map((l) => l.body)).toContain(`charged via ${name}`);
    expect(body.logs.find((l) => l.body === `charged via ${name}`)?.service).toBe('billing');
  });
});
