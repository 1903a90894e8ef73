// `@stitch/kernel`: what most services need, and nothing twice (STYLE.md §11). Each hop has its
// own subpath (`/edge`, `/db`, `/audit`, `/outbox`, `/events`, `/webhooks`, `/jobs`, `/batches`,
// `/http-out`), and so do the pipeline's parts (`/propagation`, `/redaction`, `/logs`, `/config`,
// `/stats`); the exports map test pins this list and every subpath's.

// The context API: domain code reads ids here and never makes its own.
export {
  currentContext,
  tryCurrentContext,
  requireTenantId,
  runInContext,
  runInNewContext,
  deriveContext,
  withContext,
} from './core/context/context-store.js';
export type { NewContextInit } from './core/context/context-store.js';
export { bindEmitter } from './core/context/bind-emitter.js';
export { bindCallbacks } from './core/context/bind-callbacks.js';
export type { TraceContext, ContextChanges, ErrorCode, ErrorEnvelope } from '@stitch/contract';
export { TraceContextSchema } from '@stitch/contract';

// Setup, spans and errors.
export { createStitch } from './setup/create-stitch.js';
export type { Stitch, CreateStitchOptions } from './setup/create-stitch.js';
export { startStitch } from './setup/start-stitch.js';
export type { StartStitchOptions, StitchHandle } from './setup/start-stitch.js';
export type { Logger } from 'pino';
export { withSpan, recordError } from './core/tracing/with-span.js';
export type { WithSpanOptions } from './core/tracing/with-span.js';
export { markSecurityRelevant } from './pipeline/sampling/mark-security.js';
export { StitchError, isStitchError } from './core/errors/stitch-error.js';
export { isStrictMode, setStrictMode, withoutStrictMode } from './setup/config/strict-mode.js';
