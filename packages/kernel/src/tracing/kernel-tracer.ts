import { trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';

export const KERNEL_TRACER_NAME = '@stitch/kernel';
export const KERNEL_VERSION = '0.1.0';

/**
 * The tracer every kernel wrapper uses. Looked up through the global provider on each call
 * (a cheap map hit) so a provider registered after import — or none, when Stitch is
 * disabled — is always the one in force.
 */
export function getKernelTracer(): Tracer {
  return trace.getTracer(KERNEL_TRACER_NAME, KERNEL_VERSION);
}
