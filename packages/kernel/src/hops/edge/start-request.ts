import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { Context, Link, Span, SpanContext, SpanOptions } from '@opentelemetry/api';
import { EventEmitter } from 'node:events';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { SpanAttr } from '@stitch/contract';
import { bindRequestEmitters } from '../../core/context/bind-request-emitters.js';
import { ensureIds, getScope, setScope, setSpanAndScope } from '../../core/context/context-store.js';
import type { RequestSlot, StitchScope } from '../../core/context/context-store.js';
import { HTTP_ENTRY } from '../../core/context/entry.js';
import { newSpanId, newUnsampledSpanContext, withNextTraceId } from '../../core/context/ids.js';
import { formatTraceparent } from '../../core/propagation/traceparent.js';
import { getKernelTracer, kernelTracerIsNoop } from '../../core/tracing/kernel-tracer.js';
import { EdgeOptionsSchema } from './edge-options.js';
import type { EdgeOptions, EdgeOptionsInput } from './edge-options.js';
import { readIncomingTrace } from './incoming-trace.js';
import type { IncomingTrace } from './incoming-trace.js';
import { REQUEST_ID_HEADER, resolveRequestId } from './request-id.js';
import { answerTraceHeaders, installTraceHeaderWriter } from './response-trace-headers.js';
import { findOpenServerSpan } from './open-server-span.js';
import { createTrustPolicy } from './trust.js';
import type { TrustPolicy } from './trust.js';
import { parseOptions } from '../../core/options/parse-options.js';

export { TRACE_RESPONSE_HEADER } from './response-trace-headers.js';

/** The compiled edge configuration every adapter shares. */
export interface Edge {
  readonly options: EdgeOptions;
  readonly isTrusted: TrustPolicy;
  /** `name:version` of the framework the adapter serves (sqlcommenter's `framework`), if any. */
  readonly framework: string | undefined;
}

/**
 * Validates the edge options once (defaults filled, frozen) and compiles the trust policy.
 * `framework` is the adapter's (`express:5.1.0`); an adapter of your own may name its own.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming the key, the value and what is allowed.
 * @example
 *   const edge = createEdge({ trustedUpstreams: ['10.0.0.0/8'] });
 */
export function createEdge(input: EdgeOptionsInput = {}, framework?: string): Edge {
  const options = parseOptions(EdgeOptionsSchema, input, 'edge');
  bindRequestEmitters();
  installTraceHeaderWriter();
  return Object.freeze({ options, isTrusted: createTrustPolicy(options), framework });
}

/** One request as the edge sees it, from its first byte to its response's end. */
export interface EdgeRequest {
  /** The context the handler runs in: server span active, Stitch scope set. */
  readonly context: Context;
  readonly span: Span;
  readonly traceId: string;
  readonly requestId: string;
  /** Upper-case method, or `_OTHER` for a method outside RFC 9110 (keeps span names bounded). */
  readonly method: string;
  /** Whether the caller was a trusted upstream (its trace headers were continued). */
  readonly trusted: boolean;
  /** The matched route template, once known. */
  readonly route: string | undefined;
  /** Names the span `<METHOD> <template>` and sets `http.route` and the scope's routeId. */
  setRoute(template: string): void;
  /** Records a server-side failure (the response will be a 5xx) on the server span. */
  recordError(error: unknown): void;
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);
const EMPTY_BAGGAGE: Readonly<Record<string, string>> = Object.freeze({});
// TraceContextSchema bounds routeId: a longer template would make the context unportable.
const MAX_ROUTE_LENGTH = 120;

/** The edge request a context belongs to, if it was made by an edge adapter. */
export function getEdgeRequest(ctx: Context = context.active()): EdgeRequest | undefined {
  // The request is its scope's request slot (see startRequest): no context key of its own, so a
  // request costs one context copy fewer.
  const slot = getScope(ctx)?.requestSlot;
  return slot instanceof RequestState ? slot : undefined;
}

/**
 * Sets the route template of the current request: for handlers behind a router the adapter
 * does not know. A no-op outside an edge request.
 *
 * @example
 *   setRoute('/orders/:id'); // span "GET /orders/:id", http.route, route_id in logs
 */
export function setRoute(template: string): void {
  getEdgeRequest()?.setRoute(template);
}

/**
 * Starts the edge's handling of one request, framework-independent: decides trust, continues
 * or starts the trace (an untrusted but valid parent becomes a span link), resolves the
 * request id, starts the SERVER span, answers `x-trace-id`, `x-request-id` and
 * `traceresponse` (written with the response's head: see response-trace-headers.ts), and ends the span when the response finishes or the connection closes. The
 * caller runs the handler with `context.with(request.context, handler)`; the listeners it adds
 * to the request and response run in that context (bindRequestEmitters, installed by createEdge).
 *
 * @example
 *   const request = startRequest(edge, req, res, '/orders/:id');
 *   context.with(request.context, () => handler(req, res));
 */
export function startRequest(edge: Edge, req: IncomingMessage, res: ServerResponse, route?: string): EdgeRequest {
  const remoteAddress = req.socket.remoteAddress;
  const headers = req.headers;
  const trusted = edge.isTrusted(remoteAddress, headers);
  const incoming = readIncomingTrace(headers);
  const requestId = resolveRequestId(headers[REQUEST_ID_HEADER], trusted);
  const rawMethod = req.method ?? 'GET';
  const method = KNOWN_METHODS.has(rawMethod) ? rawMethod : '_OTHER';
  const routeTemplate = route === undefined ? undefined : route.slice(0, MAX_ROUTE_LENGTH);

  const active = context.active();
  const open = kernelTracerIsNoop() ? undefined : findOpenServerSpan(active, incoming, trusted);
  if (open !== undefined) return enrichOpenSpan(open, active, res, { requestId, method, trusted, routeTemplate, incoming, framework: edge.framework });

  let parentContext = ROOT_CONTEXT;
  if (incoming.kind === 'parent' && trusted) parentContext = incoming.context;
  // Disabled (no-op tracer), a span records nothing: its name, attributes and links are not
  // built, and no tracer is asked for one (it would hand back an invalid span to replace).
  const span = kernelTracerIsNoop()
    ? disabledServerSpan(trusted ? incoming : undefined)
    : startServerSpan(
        routeTemplate === undefined ? method : `${method} ${routeTemplate}`,
        serverSpanOptions(req, method, requestId, remoteAddress, routeTemplate, incoming, trusted),
        parentContext,
        trusted ? incoming : undefined,
      );
  const spanContext = span.spanContext();

  const request = new RequestState(span, spanContext.traceId, requestId, method, trusted, routeTemplate, true, edge.framework);
  // The request is its own request slot: the route a router matches later reaches every context
  // derived from the request's (see StitchScope.requestSlot), and getEdgeRequest() finds it there.
  // The entry is the request: every hop it causes carries its route (core/context/entry.ts).
  const scope: StitchScope = { requestId, baggage: EMPTY_BAGGAGE, requestSlot: request, entry: HTTP_ENTRY };
  request.context = setSpanAndScope(parentContext, span, scope);

  answerTraceHeaders(res, { traceId: spanContext.traceId, requestId, traceResponse: formatTraceResponse(spanContext) });

  // 'close' follows 'finish' on every response, and alone tells of a connection the client
  // dropped first: one listener covers both ends of a span. `on`, not `once`: end() runs once
  // anyway, and `once` would allocate its wrapper on every request. Added before the handler
  // runs, outside the request's context, so bindRequestEmitters leaves it unwrapped. A span that
  // records nothing (kernel disabled) has nothing to end: no listener, no closure, no 'close'
  // handler to run (its route and errors are dropped by the span itself, ended or not).
  if (span.isRecording()) onClose(res, () => request.end(res));
  return request;
}

interface RequestFacts {
  readonly requestId: string;
  readonly method: string;
  readonly trusted: boolean;
  readonly routeTemplate: string | undefined;
  readonly incoming: IncomingTrace;
  readonly framework: string | undefined;
}

/**
 * The integration mode's request: the instrumentation's server span gets the edge's attributes
 * (request id, the route budget, the route, an untrusted bare trace id) and the same response
 * headers, and stays the instrumentation's to end, with its own status code and outcome.
 */
function enrichOpenSpan(span: Span, active: Context, res: ServerResponse, facts: RequestFacts): EdgeRequest {
  span.setAttribute(SpanAttr.requestId, facts.requestId);
  span.setAttribute(SpanAttr.component, 'route');
  if (facts.incoming.kind === 'trace-id' && !facts.trusted) span.setAttribute(SpanAttr.edgeUntrustedTraceId, facts.incoming.traceId);
  const spanContext = span.spanContext();
  const request = new RequestState(span, spanContext.traceId, facts.requestId, facts.method, facts.trusted, undefined, false, facts.framework);
  if (facts.routeTemplate !== undefined) request.setRoute(facts.routeTemplate);
  const scope: StitchScope = { requestId: facts.requestId, baggage: EMPTY_BAGGAGE, requestSlot: request, entry: HTTP_ENTRY };
  request.context = setScope(active, scope);
  answerTraceHeaders(res, { traceId: spanContext.traceId, requestId: facts.requestId, traceResponse: formatTraceResponse(spanContext) });
  onClose(res, () => request.end(res));
  return request;
}

/**
 * Adds the span's 'close' listener through EventEmitter's own `on`: instrumentation-http binds
 * every response to its context (`context.bind`), which wraps each listener added through the
 * response's methods in a context wrapper (≈ 1–2 µs a request in a server); `end()` reads no
 * context, so it needs neither that wrapper nor the kernel's (bindRequestEmitters).
 */
function onClose(res: ServerResponse, listener: () => void): void {
  EventEmitter.prototype.on.call(res, 'close', listener);
}

function serverSpanOptions(
  req: IncomingMessage,
  method: string,
  requestId: string,
  remoteAddress: string | undefined,
  routeTemplate: string | undefined,
  incoming: IncomingTrace,
  trusted: boolean,
): SpanOptions {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const attributes: Record<string, string | boolean> = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: queryAt === -1 ? url : url.slice(0, queryAt),
    [ATTR_URL_SCHEME]: (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http',
    [SpanAttr.requestId]: requestId,
    // Puts the request under the route budget (pipeline/budgets/budget-marking.ts), named by http.route.
    [SpanAttr.component]: 'route',
  };
  if (remoteAddress !== undefined) attributes[ATTR_NETWORK_PEER_ADDRESS] = remoteAddress;
  if (routeTemplate !== undefined) attributes[ATTR_HTTP_ROUTE] = routeTemplate;
  if (incoming.kind === 'parent' && !trusted) {
    const links: Link[] = [{ context: incoming.spanContext, attributes: { [SpanAttr.edgeUntrusted]: true } }];
    return { kind: SpanKind.SERVER, attributes, links };
  }
  if (incoming.kind === 'trace-id' && !trusted) attributes[SpanAttr.edgeUntrustedTraceId] = incoming.traceId;
  return { kind: SpanKind.SERVER, attributes };
}

/** The EdgeRequest of one request: a class, so a request costs one object, not one per method. */
class RequestState implements EdgeRequest, RequestSlot {
  context: Context = ROOT_CONTEXT;
  /** Read through StitchScope.requestSlot by the context store. */
  routeId: string | undefined;
  private ended = false;

  constructor(
    readonly span: Span,
    readonly traceId: string,
    readonly requestId: string,
    readonly method: string,
    readonly trusted: boolean,
    routeId: string | undefined,
    /** False when an instrumentation opened the span: it ends it, with its own outcome. */
    private readonly ownsSpan: boolean,
    /** Read through StitchScope.requestSlot by the query wrapper's SQL comment. */
    readonly framework: string | undefined,
  ) {
    this.routeId = routeId;
  }

  get route(): string | undefined {
    return this.routeId;
  }

  setRoute(template: string): void {
    const bounded = template.slice(0, MAX_ROUTE_LENGTH);
    this.routeId = bounded;
    if (this.ended) return;
    this.span.updateName(`${this.method} ${bounded}`);
    this.span.setAttribute(ATTR_HTTP_ROUTE, bounded);
  }

  recordError(error: unknown): void {
    if (this.ended || !this.span.isRecording()) return;
    this.span.recordException(error instanceof Error ? error : String(error));
  }

  /** Ends the span with the response's outcome; runs on the response's 'close'. */
  end(res: ServerResponse): void {
    if (this.ended) return;
    this.ended = true;
    const span = this.span;
    if (!this.ownsSpan) return;
    if (!span.isRecording()) {
      span.end();
      return;
    }
    const statusCode = res.statusCode;
    if (res.writableFinished) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
      if (statusCode >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        // HTTP server convention: a response that failed says how, as the status code in text.
        span.setAttribute(SpanAttr.errorType, String(statusCode));
      }
    } else {
      span.setAttribute(SpanAttr.edgeAborted, true);
    }
    span.end();
  }
}

/**
 * The server span of a disabled kernel: not recording, with real ids (logs, the SQL comment,
 * traceresponse and outbound calls need them). A trusted caller's trace continues: under its
 * parent (trace id, flags and tracestate kept, a span id of this hop) or its bare trace id.
 */
function disabledServerSpan(trustedIncoming: IncomingTrace | undefined): Span {
  if (trustedIncoming?.kind === 'parent') {
    const parent = trustedIncoming.spanContext;
    return trace.wrapSpanContext({ traceId: parent.traceId, spanId: newSpanId(), traceFlags: parent.traceFlags, traceState: parent.traceState });
  }
  if (trustedIncoming?.kind === 'trace-id') return trace.wrapSpanContext({ traceId: trustedIncoming.traceId, spanId: newSpanId(), traceFlags: TraceFlags.NONE });
  return trace.wrapSpanContext(newUnsampledSpanContext());
}

function startServerSpan(
  name: string,
  options: SpanOptions,
  parentContext: Context,
  trustedIncoming: IncomingTrace | undefined,
): Span {
  const tracer = getKernelTracer();
  if (trustedIncoming?.kind === 'trace-id') {
    // A bare trace id has no parent span: the server span becomes a root of that trace.
    return withNextTraceId(trustedIncoming.traceId, () => ensureIds(tracer.startSpan(name, options, parentContext)));
  }
  const span = tracer.startSpan(name, options, parentContext);
  if (trustedIncoming?.kind === 'parent' && !span.isRecording()) {
    // Kernel disabled: OpenTelemetry's no-op tracer hands back the caller's own span context.
    // The logs, traceresponse and outbound calls still need a span id of this hop.
    const parent: SpanContext = trustedIncoming.spanContext;
    if (span.spanContext().spanId === parent.spanId) {
      return trace.wrapSpanContext({ traceId: parent.traceId, spanId: newSpanId(), traceFlags: parent.traceFlags, traceState: parent.traceState });
    }
  }
  return ensureIds(span);
}

/**
 * `00-<trace-id>-<span-id>-<flags>`: the W3C Level 2 `traceresponse` of a server span. Its
 * format is traceparent's (Level 2 §"traceresponse"), so it is written by the same formatter.
 */
export function formatTraceResponse(spanContext: SpanContext): string {
  return formatTraceparent(spanContext);
}
