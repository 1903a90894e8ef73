import { SpanKind, SpanStatusCode, context, defaultTextMapSetter, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { SpanAttr } from '@stitch/contract';
import { getScope } from '../../core/context/context-store.js';
import type { StitchScope } from '../../core/context/context-store.js';
import { injectBaggage } from '../../core/propagation/baggage.js';
import { stitchPropagator } from '../../core/propagation/stitch-propagator.js';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import type { Destination } from './trusted-destinations.js';

/** What HTTP out knows about a request before it is sent. */
export interface OutboundRequest extends Destination {
  readonly method: string;
  /** Path only: the query string is never recorded (it often carries tokens or PII). */
  readonly pathname: string;
}

/** What a client call needs from the installed configuration. */
export interface ClientCallConfig {
  readonly isTrusted: (destination: Destination) => boolean;
  readonly baggageKeys: readonly string[];
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/**
 * One outbound call in flight: its CLIENT span and the headers to add to the request. Ends once,
 * whichever of response, error or close comes first.
 */
export class ClientCall {
  readonly span: Span;
  readonly headers: Readonly<Record<string, string>>;
  #ended = false;

  constructor(span: Span, headers: Record<string, string>) {
    this.span = span;
    this.headers = headers;
  }

  /** Records the response status; 5xx marks the span as an error (OTel semconv for CLIENT spans). */
  response(statusCode: number): void {
    if (this.#ended) return;
    this.span.setAttribute(SpanAttr.httpResponseStatusCode, statusCode);
    if (statusCode >= 500) {
      this.span.setAttribute(SpanAttr.errorType, String(statusCode));
      this.span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }

  /** Records a network error (refused, reset, aborted) and ends the span. */
  fail(error: unknown): void {
    if (this.#ended) return;
    const err = error instanceof Error ? error : new Error(String(error));
    const code = (err as { code?: unknown }).code;
    this.span.recordException(err);
    this.span.setAttribute(SpanAttr.errorType, typeof code === 'string' ? code : err.name);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    this.end();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.span.end();
  }

  /**
   * Gives the call up to an instrumentation that traces the same request (undici-channels.ts):
   * the span is never ended, so no processor's onEnd and no exporter ever sees it.
   */
  withdraw(): void {
    this.#ended = true;
  }
}

/**
 * Starts the CLIENT span of an outbound request in the active context and computes the headers
 * it must carry: `traceparent` (the new span's id, the parent's flags), `tracestate` when
 * present, and `baggage` only when the destination is trusted.
 *
 * Returns `undefined` — the request goes out untouched — outside any span (nothing to continue)
 * and when tracing is suppressed (the exporters' own requests).
 */
export function startClientCall(request: OutboundRequest, config: ClientCallConfig): ClientCall | undefined {
  const active = context.active();
  if (isTracingSuppressed(active)) return undefined;
  const parent = trace.getSpan(active);
  if (parent === undefined || !trace.isSpanContextValid(parent.spanContext())) return undefined;

  const method = request.method.toUpperCase();
  const known = KNOWN_METHODS.has(method);
  const scope = getScope(active);
  const attributes: Attributes = {
    [SpanAttr.httpRequestMethod]: known ? method : '_OTHER',
    [SpanAttr.serverAddress]: request.hostname,
    [SpanAttr.serverPort]: request.port,
    [SpanAttr.urlScheme]: request.protocol.replace(':', ''),
    [SpanAttr.urlFull]: `${request.protocol}//${formatHost(request)}${request.pathname}`,
    [SpanAttr.component]: 'external',
  };
  if (!known) attributes[SpanAttr.httpRequestMethodOriginal] = request.method;
  if (scope?.tenantId !== undefined) attributes[SpanAttr.tenantId] = scope.tenantId;
  const span = getKernelTracer().startSpan(known ? `HTTP ${method}` : 'HTTP', { kind: SpanKind.CLIENT, attributes }, active);

  const headers: Record<string, string> = {};
  stitchPropagator.inject(trace.setSpan(active, span), headers, defaultTextMapSetter);
  injectTrustedBaggage(headers, scope, request, config);
  return new ClientCall(span, headers);
}

/**
 * The `baggage` header (tenant, actor, the context's allowed keys) for a trusted destination;
 * `{}` for any other, outside a Stitch context and when tracing is suppressed. Also what a call
 * gets whose trace context an instrumentation injected (instrumentation-http/undici).
 */
export function trustedBaggage(destination: Destination, config: ClientCallConfig, active = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!isTracingSuppressed(active)) injectTrustedBaggage(headers, getScope(active), destination, config);
  return headers;
}

// startClientCall has the scope and the suppression check already: it writes into its own headers.
function injectTrustedBaggage(headers: Record<string, string>, scope: StitchScope | undefined, destination: Destination, config: ClientCallConfig): void {
  if (scope === undefined || !config.isTrusted(destination)) return;
  const entries: Record<string, string> = { ...scope.baggage };
  if (scope.tenantId !== undefined) entries['tenant.id'] = scope.tenantId;
  if (scope.actorId !== undefined) entries['actor.id'] = scope.actorId;
  injectBaggage(headers, entries, defaultTextMapSetter, { allowedKeys: config.baggageKeys });
}

function formatHost({ protocol, hostname, port }: Destination): string {
  const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  const defaultPort = protocol === 'https:' ? 443 : 80;
  return port === defaultPort ? host : `${host}:${port}`;
}
