import type { MeterProvider } from '@opentelemetry/api';
import type { z } from 'zod';
import { parseOptions } from '../../core/options/parse-options.js';
import { has, OptionsSchema, OTEL_BUCKETS, Ref, refShape } from './metrics-options.js';
import type { CreateMetricsOptions } from './metrics-options.js';
import { createOtelBackend } from './otel-backend.js';
import { wireMetrics } from './wire-metrics.js';

export interface CreateOtelMetricsOptions extends CreateMetricsOptions {
  /** Your MeterProvider (its readers and exporters decide where the metrics go: OTLP, Prometheus…). */
  readonly meterProvider: MeterProvider;
}

const OtelOptionsSchema = OptionsSchema.extend({ meterProvider: Ref('a MeterProvider (getMeter())') });

/**
 * The same metrics as `createMetrics`, on an OpenTelemetry MeterProvider instead of prom-client,
 * for services that export metrics over OTLP: OpenTelemetry's instrument and attribute names
 * (`http.server.request.duration`, `http.route`), the same bounds and folds. No prom-client is
 * loaded by it.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` on a bad option.
 * @example
 *   const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() })] });
 *   const metrics = createOtelMetrics({ stitch, meterProvider });
 */
export function createOtelMetrics(input: CreateOtelMetricsOptions): { close(): Promise<void> } {
  const shape = { ...refShape(input), meterProvider: has(input?.meterProvider, 'getMeter', 'function') };
  const settings: z.output<typeof OtelOptionsSchema> = parseOptions(OtelOptionsSchema, shape, 'metrics');
  const options = { ...input, bounds: settings.bounds, tenants: settings.tenants, bucketsSeconds: settings.bucketsSeconds };
  const meter = input.meterProvider.getMeter('@stitch/kernel');
  const removeObserver = wireMetrics(options, createOtelBackend(meter, options.bucketsSeconds ?? OTEL_BUCKETS));
  return {
    async close() {
      removeObserver();
    },
  };
}
