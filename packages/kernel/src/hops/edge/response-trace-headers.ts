import { ServerResponse } from 'node:http';
import type { OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import { TRACE_ID_HEADER } from './incoming-trace.js';
import { REQUEST_ID_HEADER } from './request-id.js';

/** W3C Trace Context Level 2 §"traceresponse": the server span, answered to the caller. */
export const TRACE_RESPONSE_HEADER = 'traceresponse';

/** The values of the three headers the edge answers on every response. */
export interface TraceHeaderValues {
  readonly traceId: string;
  readonly requestId: string;
  readonly traceResponse: string;
}

// Our own key on the response (not one of Node's private symbols): the values still to write.
const PENDING = Symbol('stitch.edge.pendingTraceHeaders');
type PendingResponse = ServerResponse & { [PENDING]?: TraceHeaderValues | undefined };
type WriteHead = (this: ServerResponse, statusCode: number, reason?: unknown, headers?: unknown) => ServerResponse;

let nodeWriteHead: WriteHead | undefined;

/**
 * Answers `x-trace-id`, `x-request-id` and `traceresponse` on `res`, written with the head.
 * Node validates and stores every `setHeader` in a table that its `writeHead` then merges the
 * handler's headers into, one more `setHeader` each: for a handler that writes its head in one
 * `writeHead(status, headers)` call (node:http, Fastify) that was most of what the three
 * headers cost (about 1.5 µs of 2 in process). Handed to that one call instead, they cost
 * Node's validation and serialization only. A header of the same name that the handler sets
 * wins, as with setHeader; until the head is written, `getHeader` does not see them.
 *
 * @example
 *   answerTraceHeaders(res, { traceId, requestId, traceResponse });
 */
export function answerTraceHeaders(res: ServerResponse, values: TraceHeaderValues): void {
  if (nodeWriteHead !== undefined && res.writeHead === writeHeadWithTraceHeaders) {
    (res as PendingResponse)[PENDING] = values;
    return;
  }
  // A response whose writeHead is not the patched one (an instance override made before the
  // edge ran, a class that is not node:http's): the headers are set now, as Node documents.
  setTraceHeaders(res, values);
}

/** Patches `ServerResponse.prototype.writeHead` once (createEdge); idempotent. */
export function installTraceHeaderWriter(): void {
  if (nodeWriteHead !== undefined) return;
  nodeWriteHead = ServerResponse.prototype.writeHead as WriteHead;
  ServerResponse.prototype.writeHead = writeHeadWithTraceHeaders as typeof ServerResponse.prototype.writeHead;
}

// Every head goes through here: the handler's writeHead, and Node's implicit one (res.end(),
// flushHeaders()) calls this.writeHead too.
function writeHeadWithTraceHeaders(this: PendingResponse, statusCode: number, reason?: unknown, headers?: unknown): ServerResponse {
  const write = nodeWriteHead as WriteHead;
  const pending = this[PENDING];
  if (pending === undefined) return write.call(this, statusCode, reason, headers);
  const given = typeof reason === 'string' ? headers : (headers ?? reason);
  let written: ServerResponse;
  if (Array.isArray(given) || this.getHeaderNames().length > 0) {
    // Headers set with setHeader already (Express, the error envelope) or given as an array:
    // Node merges through setHeader anyway; ours go in first, so that the handler's win.
    setTraceHeaders(this, pending);
    written = write.call(this, statusCode, reason, headers);
  } else {
    const merged = mergedHeaders(pending, given as OutgoingHttpHeaders | undefined);
    written = typeof reason === 'string' ? write.call(this, statusCode, reason, merged) : write.call(this, statusCode, merged);
  }
  // After Node accepted the head: if it threw (an invalid header of the handler's), the error
  // answer that follows still carries the three.
  this[PENDING] = undefined;
  return written;
}

function setTraceHeaders(res: ServerResponse, values: TraceHeaderValues): void {
  if (!res.hasHeader(TRACE_ID_HEADER)) res.setHeader(TRACE_ID_HEADER, values.traceId);
  if (!res.hasHeader(REQUEST_ID_HEADER)) res.setHeader(REQUEST_ID_HEADER, values.requestId);
  if (!res.hasHeader(TRACE_RESPONSE_HEADER)) res.setHeader(TRACE_RESPONSE_HEADER, values.traceResponse);
}

/** The flat `[name, value, …]` list Node's writeHead takes: ours, then the handler's. */
function mergedHeaders(values: TraceHeaderValues, given: OutgoingHttpHeaders | undefined): OutgoingHttpHeader[] {
  const merged: OutgoingHttpHeader[] = [TRACE_ID_HEADER, values.traceId, REQUEST_ID_HEADER, values.requestId, TRACE_RESPONSE_HEADER, values.traceResponse];
  if (given === undefined || given === null) return merged;
  let overridden = false;
  for (const name of Object.keys(given)) {
    // Skipped as Node's own merge skips it (writeHead's `if (k)`).
    if (name === '') continue;
    merged.push(name, given[name] as OutgoingHttpHeader);
    if (name.length >= TRACE_ID_HEADER.length && name.length <= TRACE_RESPONSE_HEADER.length && isTraceHeader(name)) overridden = true;
  }
  return overridden ? withoutOverridden(merged) : merged;
}

function isTraceHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === TRACE_ID_HEADER || lower === REQUEST_ID_HEADER || lower === TRACE_RESPONSE_HEADER;
}

/** The handler named one of ours: its value is the one answered (rare; a list rebuilt). */
function withoutOverridden(merged: OutgoingHttpHeader[]): OutgoingHttpHeader[] {
  const named = new Set<string>();
  for (let at = 6; at < merged.length; at += 2) named.add(String(merged[at]).toLowerCase());
  const kept: OutgoingHttpHeader[] = [];
  for (let at = 0; at < 6; at += 2) if (!named.has(String(merged[at]))) kept.push(merged[at] as OutgoingHttpHeader, merged[at + 1] as OutgoingHttpHeader);
  return kept.concat(merged.slice(6));
}
