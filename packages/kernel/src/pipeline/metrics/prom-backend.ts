import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Emit, HistogramLike, MetricsBackend } from './metrics-backend.js';
import type { MetricSpec } from './metric-catalogue.js';

/**
 * A histogram's children by label values: prom-client's `observe(labels, v)` hashes the labels
 * object (sorts its keys, joins them) on every call, which showed as most of the metrics' cost
 * per request in `bench/http-route` (`enabled-100:metrics`, 0.955 by CPU); a joined key and a
 * Map lookup is a fraction of it. Bounded like the labels themselves: one child per series.
 */
class CachedHistogram implements HistogramLike {
  private readonly children = new Map<string, { observe(value: number): void }>();

  constructor(private readonly histogram: Histogram<string>) {}

  observe(labels: Readonly<Record<string, string>>, value: number): void {
    let key = '';
    for (const k in labels) key += `${labels[k]}\u0000`;
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.histogram.labels({ ...labels });
      this.children.set(key, child);
    }
    child.observe(value);
  }
}

/** prom-client behind the backend interface: everything in one registry, in Prometheus naming. */
export function createPromBackend(registry: Registry, bucketsSeconds: readonly number[]): MetricsBackend {
  const registers = [registry];
  return {
    histogram(spec, labelNames) {
      return new CachedHistogram(new Histogram({ name: spec.name, help: spec.help, labelNames: [...labelNames], buckets: [...bucketsSeconds], registers }));
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
