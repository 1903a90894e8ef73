/**
 * The kernel's propagation surface. Placeholder implementation over OpenTelemetry's W3C
 * propagator: the propagation work replaces the internals with a spec-exact one and keeps
 * these names.
 */
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { TextMapPropagator } from '@opentelemetry/api';

/** The propagator the edge and HTTP-out adapters use, whether or not the kernel is enabled. */
export const stitchPropagator: TextMapPropagator = new W3CTraceContextPropagator();
