/**
 * HTTP out (`@stitch/kernel/http-out`): trace context on every outbound fetch/undici and
 * node:http(s) request, tenant baggage only to trusted destinations.
 */
export { installHttpOut } from './install-http-out.js';
export type { UninstallHttpOut } from './install-http-out.js';
export { HttpOutOptionsSchema } from './http-out-options.js';
export type { HttpOutOptions, HttpOutOptionsInput } from './http-out-options.js';
