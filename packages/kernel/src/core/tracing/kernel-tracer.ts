import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { Tracer, TracerProvider } from '@opentelemetry/api';

export const KERNEL_TRACER_NAME = '@stitch/kernel';
export const KERNEL_VERSION = '0.1.0';

let cachedFor: unknown;
let cachedTracer: Tracer | undefined;
// The provider OpenTelemetry's API delegates to while none is registered (Stitch disabled).
const NOOP_PROVIDER: TracerProvider = new ProxyTracerProvider().getDelegate();

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

/**
 * Whether the kernel tracer is OpenTelemetry's no-op one (no tracer provider registered: Stitch
 * disabled): its spans record nothing whatever attributes and links they are given, so hot
 * paths skip building them.
 *
 * @example
 *   const attributes = kernelTracerIsNoop() ? undefined : buildAttributes();
 */
export function kernelTracerIsNoop(): boolean {
  getKernelTracer();
  return cachedFor === NOOP_PROVIDER;
}
