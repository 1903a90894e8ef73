// `@stitch/kernel/metrics`: Prometheus metrics (prom-client) with bounded labels.
export { createMetrics } from './create-metrics.js';
export type { StitchMetrics } from './create-metrics.js';
export type { CreateMetricsOptions, PoolCounts, ReadinessSource } from './metrics-options.js';
export { METRICS as STITCH_METRICS, DEFAULT_BOUNDS as DEFAULT_LABEL_BOUNDS } from './metric-catalogue.js';
export type { MetricSpec, LabelBounds } from './metric-catalogue.js';
export type { TenantLabelOptions } from './tenant-label.js';
