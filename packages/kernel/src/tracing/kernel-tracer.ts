import { trace } from '@opentelemetry/api';
import type { Tracer, TracerProvider } from '@opentelemetry/api';

export const KERNEL_TRACER_NAME = '@stitch/kernel';
export const KERNEL_VERSION = '0.1.0';

let cachedFor: unknown;
let cachedTracer: Tracer | undefined;

/**
 * The tracer every kernel wrapper uses: always the one of the provider in force (registered
 * after import, replaced, or none when Stitch is disabled). It is cached against that provider,
 * because `trace.getTracer()` builds a key string and does a map lookup on every call — 3% of
 * the span path in bench/http-route.bench.ts.
 */
export function getKernelTracer(): Tracer {
  const global = trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
  const current = global.getDelegate?.() ?? global;
  if (current !== cachedFor || cachedTracer === undefined) {
    cachedTracer = trace.getTracer(KERNEL_TRACER_NAME, KERNEL_VERSION);
    cachedFor = current;
  }
  return cachedTracer;
}
