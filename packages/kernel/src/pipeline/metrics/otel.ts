// `@stitch/kernel/metrics/otel`: the same metrics on an OpenTelemetry MeterProvider (no prom-client).
export { createOtelMetrics } from './otel-metrics.js';
export type { CreateOtelMetricsOptions } from './otel-metrics.js';
