import { SpanKind } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { SpanAttr } from '@stitch/contract';
import { afterAll, describe, expect, it } from 'vitest';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import { createStitch } from '../../setup/create-stitch.js';
import { createOtelMetrics } from './otel-metrics.js';

/** Collects on demand, as a periodic OTLP reader would on its timer. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const stitch = createStitch({ env: { OTEL_SERVICE_NAME: 'otel-metrics-test', STITCH_LOG_LEVEL: 'silent', OTEL_TRACES_EXPORTER: 'none' } });
afterAll(() => stitch.shutdown());

async function collected(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
}

describe('createOtelMetrics()', () => {
  it('records the same metrics on a MeterProvider, with OpenTelemetry’s names, units and attributes, and the same folds', async () => {
    const reader = new OnDemandReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const metrics = createOtelMetrics({ stitch, meterProvider, bounds: { routes: 1 } });
    for (const route of ['/orders/:id', '/orders/:id', '/users/1', '/users/2']) {
      getKernelTracer()
        .startSpan('GET', { root: true, kind: SpanKind.SERVER, attributes: { [SpanAttr.component]: 'route', [SpanAttr.routeId]: route, 'http.request.method': 'GET', 'http.response.status_code': 200 } })
        .end();
    }
    const byName = await collected(reader);
    const server = byName.get('http.server.request.duration');
    expect(server?.descriptor.unit).toBe('s');
    const points = (server?.dataPoints ?? []) as DataPoint<Histogram>[];
    expect(points.map((p) => [p.attributes, p.value.count])).toEqual([
      [{ 'http.route': '/orders/:id', 'http.request.method': 'GET', 'http.response.status_class': '2xx' }, 2],
      [{ 'http.route': 'other', 'http.request.method': 'GET', 'http.response.status_class': '2xx' }, 2],
    ]);
    const folds = byName.get('stitch.metrics.label_folds')?.dataPoints ?? [];
    expect(folds.map((p) => [p.attributes, p.value])).toEqual([[{ metric: 'http_server_request_duration_seconds', label: 'http_route' }, 2]]);
    const exported = byName.get('stitch.export.spans')?.dataPoints ?? [];
    expect(exported.map((p) => p.attributes.outcome).sort()).toEqual(['dropped_export_failed', 'dropped_queue_full', 'dropped_shutdown', 'exported']);
    await metrics.close();
    await meterProvider.shutdown();
  });
});
