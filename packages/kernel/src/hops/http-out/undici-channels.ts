import diagnosticsChannel from 'node:diagnostics_channel';
import { diag } from '@opentelemetry/api';
import { startClientCall } from './client-call.js';
import type { ClientCall, ClientCallConfig } from './client-call.js';
import { portOf } from './trusted-destinations.js';

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

/** Subscribes; returns the function that unsubscribes. */
export function subscribeUndici(config: ClientCallConfig): () => void {
  const calls = new WeakMap<object, ClientCall>();
  // Set when another injector (e.g. @opentelemetry/instrumentation-undici, subscribed after us)
  // added its own traceparent to a request we had already injected: from then on we step aside
  // so no request carries two. See installHttpOut() for the coexistence rules.
  let yielded = false;

  const onCreate = (message: unknown): void => {
    try {
      if (yielded) return;
      const { request } = message as { request: UndiciRequest };
      // A traceparent already there belongs to the host or to another instrumentation that ran
      // first: sending a second one would make the receiver drop both (W3C: multiple headers).
      if (request.method === 'CONNECT' || hasHeader(request, 'traceparent')) return;
      const url = new URL(request.path, request.origin);
      const call = startClientCall(
        { method: request.method, protocol: url.protocol, hostname: url.hostname, port: portOf(url.protocol, url.port), pathname: url.pathname },
        config,
      );
      if (call === undefined) return;
      for (const [name, value] of Object.entries(call.headers)) {
        if (name === 'baggage' && hasHeader(request, 'baggage')) continue;
        addHeader(request, name, value);
      }
      calls.set(request, call);
    } catch (error) {
      diag.debug('stitch http-out: undici request not traced', error);
    }
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
    if (yielded || !calls.has(request) || typeof headers !== 'string') return;
    if (headers.toLowerCase().split('traceparent:').length > 2) {
      yielded = true;
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
  return () => {
    for (const [name, handler] of subscriptions) diagnosticsChannel.unsubscribe(name, handler);
  };
}
