import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Emit, MetricsBackend } from './metrics-backend.js';
import type { MetricSpec } from './metric-catalogue.js';

/** prom-client behind the backend interface: everything in one registry, in Prometheus naming. */
export function createPromBackend(registry: Registry, bucketsSeconds: readonly number[]): MetricsBackend {
  const registers = [registry];
  return {
    histogram(spec, labelNames) {
      // prom-client hashes the labels on every observation, child or not (lib/histogram.js): the
      // ~0.9 µs the metrics add per observed span (bench/http-route's microbenchmarks) includes it.
      const histogram = new Histogram({ name: spec.name, help: spec.help, labelNames: [...labelNames], buckets: [...bucketsSeconds], registers });
      return { observe: (labels, value) => histogram.observe(labels, value) };
    },
    observable(spec: MetricSpec, collect: (emit: Emit) => void | Promise<void>) {
      const labelNames = Object.keys(spec.labels);
      if (spec.type === 'counter') {
        new Counter({ name: spec.name, help: spec.help, labelNames, registers, async collect() { this.reset(); await collect((labels, value) => this.inc({ ...labels }, value)); } });
      } else {
        new Gauge({ name: spec.name, help: spec.help, labelNames, registers, async collect() { this.reset(); await collect((labels, value) => this.set({ ...labels }, value)); } });
      }
    },
  };
}
