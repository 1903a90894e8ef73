import type { MetricSpec } from './metric-catalogue.js';

/** Reports one value of an observable metric for one label set. */
export type Emit = (labels: Readonly<Record<string, string>>, value: number) => void;

export interface HistogramLike {
  observe(labels: Readonly<Record<string, string>>, value: number): void;
}

/**
 * The one small interface the kernel's metrics are written against: histograms observed as
 * spans end, counters and gauges read from the kernel's own counters when the backend collects
 * (a Prometheus scrape, an OTLP export). prom-client behind it by default (`createMetrics`),
 * an OpenTelemetry MeterProvider as the alternative (`createOtelMetrics`).
 */
export interface MetricsBackend {
  histogram(spec: MetricSpec, labelNames: readonly string[]): HistogramLike;
  /** A counter (cumulative totals) or gauge, by `spec.type`, whose values `collect` emits. */
  observable(spec: MetricSpec, collect: (emit: Emit) => void | Promise<void>): void;
}
