/**
 * `@stitch/kernel/edge`: the framework-independent edge, for writing an adapter of your own.
 * The adapters live at `./edge/node-http`, `./edge/express` and `./edge/fastify`.
 */
export { createEdge, startRequest, getEdgeRequest, setRoute, formatTraceResponse, TRACE_RESPONSE_HEADER } from './start-request.js';
export type { Edge, EdgeRequest } from './start-request.js';
export { EdgeOptionsSchema } from './edge-options.js';
export type { EdgeOptions, EdgeOptionsInput } from './edge-options.js';
export { createTrustPolicy, parseCidr } from './trust.js';
export type { TrustPolicy, Cidr } from './trust.js';
export { readIncomingTrace, TRACE_ID_HEADER } from './incoming-trace.js';
export type { IncomingTrace } from './incoming-trace.js';
export { resolveRequestId, REQUEST_ID_HEADER } from './request-id.js';
export { toErrorResponse, toStitchError, sendErrorResponse, notFoundError } from './error-envelope.js';
export type { ErrorResponse } from './error-envelope.js';
