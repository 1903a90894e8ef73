// `@stitch/kernel/otel`: Stitch inside the service's own OpenTelemetry SDK (docs/opentelemetry.md).
export { stitchSdkOptions } from './stitch-sdk-options.js';
export type { StitchSdkExtras, StitchSdkOptions } from './stitch-sdk-options.js';
export { buildStitchPipeline, resolveTracingOptions } from './stitch-pipeline.js';
export type { StitchPipeline, StitchPipelineOptions } from './stitch-pipeline.js';
export { findRegisteredGlobals } from './registered-globals.js';
