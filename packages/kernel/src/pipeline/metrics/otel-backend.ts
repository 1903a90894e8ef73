import type { Attributes, Meter } from '@opentelemetry/api';
import type { Emit, HistogramLike, MetricsBackend } from './metrics-backend.js';
import { OTEL_ATTRIBUTES } from './metric-catalogue.js';

function attributes(labels: Readonly<Record<string, string>>): Attributes {
  const out: Attributes = {};
  for (const key in labels) out[OTEL_ATTRIBUTES[key] ?? key] = labels[key];
  return out;
}

/**
 * An OpenTelemetry Meter behind the backend interface: the instruments take OpenTelemetry's
 * names, units and attribute names (`http.server.request.duration`, `s`, `http.route`), and
 * the counters and gauges are observable instruments read when the MeterProvider's reader
 * collects, as prom-client reads them at scrape time.
 */
export function createOtelBackend(meter: Meter, bucketsSeconds: readonly number[]): MetricsBackend {
  return {
    histogram(spec): HistogramLike {
      const histogram = meter.createHistogram(spec.otel, { description: spec.help, unit: spec.unit, advice: { explicitBucketBoundaries: [...bucketsSeconds] } });
      return { observe: (labels, value) => histogram.record(value, attributes(labels)) };
    },
    observable(spec, collect: (emit: Emit) => void | Promise<void>) {
      const options = { description: spec.help, unit: spec.unit };
      const instrument = spec.type === 'counter' ? meter.createObservableCounter(spec.otel, options) : meter.createObservableGauge(spec.otel, options);
      instrument.addCallback(async (result) => {
        // A counter's value is its total: summed per attribute set, as prom-client's inc() does.
        const totals = new Map<string, { attrs: Attributes; value: number }>();
        await collect((labels, value) => {
          const attrs = attributes(labels);
          const key = JSON.stringify(attrs);
          const entry = totals.get(key);
          if (entry === undefined || spec.type !== 'counter') totals.set(key, { attrs, value });
          else entry.value += value;
        });
        for (const { attrs, value } of totals.values()) result.observe(value, attrs);
      });
    },
  };
}
