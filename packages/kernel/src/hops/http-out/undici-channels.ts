import diagnosticsChannel from 'node:diagnostics_channel';
import { context, diag } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { startClientCall, trustedBaggage } from './client-call.js';
import type { ClientCall, ClientCallConfig } from './client-call.js';
import { onInstrumentedClientSpan, UNDICI_INSTRUMENTATION_SCOPE } from './instrumented-client-span.js';
import { portOf } from './trusted-destinations.js';
import type { Destination } from './trusted-destinations.js';

/**
 * HTTP out for the global `fetch` and the `undici` package, through undici's diagnostics
 * channels (Node 20 ships undici 6, whose `undici:request:create` message lets a subscriber add
 * headers with `request.addHeader` before anything is sent). No monkey-patching: the channels
 * are process-wide by name, so one subscription covers Node's bundled undici and any installed
 * copy.
 *
 * The span ends when the response completes (`undici:request:trailers`) or fails
 * (`undici:request:error`), as @opentelemetry/instrumentation-undici does.
 */

/** The parts of undici's Request we use; its shape differs slightly between undici 5, 6 and 7. */
interface UndiciRequest {
  readonly origin: string | URL;
  readonly path: string;
  readonly method: string;
  headers: string | string[];
  addHeader?: (name: string, value: string) => unknown;
}

const CREATE = 'undici:request:create';
const HEADERS = 'undici:request:headers';
const TRAILERS = 'undici:request:trailers';
const ERROR = 'undici:request:error';
const SEND_HEADERS = 'undici:client:sendHeaders';

/** Whether the request already has a header (`headers` is an array in undici ≥ 6, a raw string in 5). */
function hasHeader(request: UndiciRequest, name: string): boolean {
  const { headers } = request;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return true;
    return false;
  }
  return typeof headers === 'string' && headers.toLowerCase().split('\r\n').some((line) => line.startsWith(`${name}:`));
}

function addHeader(request: UndiciRequest, name: string, value: string): void {
  if (typeof request.addHeader === 'function') request.addHeader(name, value);
  else if (Array.isArray(request.headers)) request.headers.push(name, value);
  else request.headers += `${name}: ${value}\r\n`;
}

/** Removes one header line we added (same name and value), in either shape of `headers`. */
function removeHeader(request: UndiciRequest, name: string, value: string): void {
  const { headers } = request;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name && headers[i + 1] === value) {
        headers.splice(i, 2);
        return;
      }
    }
  } else if (typeof headers === 'string') {
    request.headers = headers.replace(`${name}: ${value}\r\n`, '');
  }
}

/** Our call for the request whose `create` message is being published right now. */
interface Publishing {
  readonly request: UndiciRequest;
  readonly call: ClientCall;
  readonly parentContext: Context;
  readonly added: readonly (readonly [string, string])[];
}

/** Subscribes; returns the function that unsubscribes. */
export function subscribeUndici(config: ClientCallConfig): () => void {
  const calls = new WeakMap<object, ClientCall>();
  // Set while an instrumentation that traces fetch/undici itself (instrumentation-undici) runs
  // after our subscriber: its span is then each call's one span (issue 13) and we add only the
  // trusted baggage. See installHttpOut() for the coexistence rules.
  let yielded = false;
  // Subscribers of a channel run in the order they subscribed, synchronously, within one
  // publish: instrumentation-undici subscribed after us starts its span right after our
  // subscriber returned, in the same context (InstrumentedClientSpanProcessor tells us). Our
  // call for that request is then withdrawn: its headers removed before undici adds its own,
  // its span never ended, so never exported. Cleared on the next microtask, after the publish.
  let publishing: Publishing | undefined;
  // Set for good when a request we injected went out with a second traceparent from an injector
  // that opens no OpenTelemetry span we could see (not instrumentation-undici).
  let otherInjector = false;
  // While yielded: whether the instrumentation still traces (it can be disabled at run time).
  let expecting: { readonly parentContext: Context; seen: boolean } | undefined;

  const addTrustedBaggage = (request: UndiciRequest, destination: Destination): void => {
    if (hasHeader(request, 'baggage')) return;
    for (const [name, value] of Object.entries(trustedBaggage(destination, config))) addHeader(request, name, value);
  };

  const onCreate = (message: unknown): void => {
    try {
      const { request } = message as { request: UndiciRequest };
      if (request.method === 'CONNECT') return;
      const url = new URL(request.path, request.origin);
      const outbound = { method: request.method, protocol: url.protocol, hostname: url.hostname, port: portOf(url.protocol, url.port), pathname: url.pathname };
      // A traceparent already there belongs to the host or to an instrumentation that ran
      // first: sending a second one would make the receiver drop both (W3C: multiple headers).
      if (hasHeader(request, 'traceparent')) {
        addTrustedBaggage(request, outbound);
        return;
      }
      const parentContext = context.active();
      if (otherInjector) {
        addTrustedBaggage(request, outbound);
        return;
      }
      if (yielded) {
        addTrustedBaggage(request, outbound);
        const expectation = { parentContext, seen: false };
        expecting = expectation;
        queueMicrotask(() => {
          if (expecting === expectation) expecting = undefined;
          // No instrumentation span for this request: it is off now; trace fetch again from the next call.
          if (!expectation.seen) yielded = false;
        });
        return;
      }
      const call = startClientCall(outbound, config);
      if (call === undefined) return;
      const added: [string, string][] = [];
      for (const [name, value] of Object.entries(call.headers)) {
        if (name === 'baggage' && hasHeader(request, 'baggage')) continue;
        addHeader(request, name, value);
        added.push([name, value]);
      }
      calls.set(request, call);
      const current: Publishing = { request, call, parentContext, added };
      publishing = current;
      queueMicrotask(() => {
        if (publishing === current) publishing = undefined;
      });
    } catch (error) {
      diag.debug('stitch http-out: undici request not traced', error);
    }
  };
  const onInstrumented = (scope: string, parentContext: Context): void => {
    if (scope !== UNDICI_INSTRUMENTATION_SCOPE) return;
    if (expecting?.parentContext === parentContext) expecting.seen = true;
    const current = publishing;
    if (current?.parentContext !== parentContext) return;
    publishing = undefined;
    yielded = true;
    for (const [name, value] of current.added) if (name !== 'baggage') removeHeader(current.request, name, value);
    calls.delete(current.request);
    current.call.withdraw();
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    calls.get(request)?.response(response.statusCode);
  };
  const onTrailers = (message: unknown): void => {
    const { request } = message as { request: object };
    calls.get(request)?.end();
    calls.delete(request);
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as { request: object; error: unknown };
    calls.get(request)?.fail(error);
    calls.delete(request);
  };
  const onSendHeaders = (message: unknown): void => {
    const { request, headers } = message as { request: object; headers: string };
    if (otherInjector || !calls.has(request) || typeof headers !== 'string') return;
    if (headers.toLowerCase().split('traceparent:').length > 2) {
      otherInjector = true;
      diag.warn('stitch http-out: another instrumentation also injects traceparent into fetch/undici requests; Stitch stops injecting there (install http-out with fetch: false to silence this)');
    }
  };

  const subscriptions: [string, (message: unknown) => void][] = [
    [CREATE, onCreate],
    [HEADERS, onHeaders],
    [TRAILERS, onTrailers],
    [ERROR, onError],
    [SEND_HEADERS, onSendHeaders],
  ];
  for (const [name, handler] of subscriptions) diagnosticsChannel.subscribe(name, handler);
  const stopListening = onInstrumentedClientSpan(onInstrumented);
  return () => {
    stopListening();
    for (const [name, handler] of subscriptions) diagnosticsChannel.unsubscribe(name, handler);
  };
}
