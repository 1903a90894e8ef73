/**
 * The kernel's propagation surface: spec-exact W3C Trace Context and W3C Baggage.
 *
 * Trace context (`stitchPropagator`) and baggage (`extractBaggage`/`injectBaggage`) are separate
 * so each adapter decides by trust: the edge continues a trace from a trusted upstream and reads
 * baggage only from one; HTTP out always sends the trace and sends baggage only to destinations
 * on its allow-list.
 */
export { stitchPropagator, extractTraceContext, TRACEPARENT_HEADER, TRACESTATE_HEADER } from './stitch-propagator.js';
export type { TraceContextExtraction } from './stitch-propagator.js';
export { parseTraceparent, formatTraceparent } from './traceparent.js';
export type { Traceparent, TraceparentFields, TraceparentParseResult, TraceparentRejection } from './traceparent.js';
export { Tracestate, parseTracestate, isValidTracestateKey, isValidTracestateValue, TRACESTATE_MAX_MEMBERS } from './tracestate.js';
export type { TracestateParseResult, TracestateRejection } from './tracestate.js';
export {
  extractBaggage,
  injectBaggage,
  parseBaggage,
  formatBaggage,
  BAGGAGE_HEADER,
  DEFAULT_BAGGAGE_KEYS,
  BAGGAGE_MAX_MEMBERS,
  BAGGAGE_MAX_BYTES,
} from './baggage.js';
export type { BaggageOptions } from './baggage.js';
