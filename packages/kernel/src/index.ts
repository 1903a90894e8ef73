export {
  currentContext,
  tryCurrentContext,
  requireTenantId,
  runInContext,
  runInNewContext,
  deriveContext,
  withContext,
} from './context/context-store.js';
export type { NewContextInit } from './context/context-store.js';
export { bindEmitter } from './context/bind-emitter.js';
export { setRoute } from './edge/start-request.js';
export { toErrorResponse, sendErrorResponse } from './edge/error-envelope.js';
export type { ErrorResponse } from './edge/error-envelope.js';
export { StitchError, isStitchError } from './errors/stitch-error.js';
export { startStitch } from './setup/start-stitch.js';
export type { StartStitchOptions, StitchHandle } from './setup/start-stitch.js';
export type { TraceContext, ContextChanges, ErrorCode, ErrorEnvelope } from '@stitch/contract';
export { TraceContextSchema } from '@stitch/contract';
