import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { diag } from '@opentelemetry/api';
import { startClientCall, trustedBaggage } from './client-call.js';
import type { ClientCall, ClientCallConfig } from './client-call.js';
import { portOf } from './trusted-destinations.js';

/**
 * HTTP out for `node:http` and `node:https`.
 *
 * Node 20's `http.client.request.start` channel fires after the headers are written (checked on
 * 20.20: `setHeader` there throws ERR_HTTP_HEADERS_SENT), and `http.client.request.created`
 * only arrives in Node 22. So `request`/`get` are wrapped: the wrapper lets Node build the
 * ClientRequest exactly as before, then adds the headers while they are still unsent. The
 * outcome comes from the `http.client.response.finish` and `http.client.request.error`
 * channels, and `close` events: we add no `error` or `response` listener, which would change
 * what the host sees (an unhandled error, an undrained response).
 *
 * Requests whose headers Node already wrote at construction (headers given as an array, or
 * `Expect`) go out untouched. A request that already carries a `traceparent` (set by the host or
 * by @opentelemetry/instrumentation-http, in whichever order it was installed: its wrapper
 * injects before Node builds the request) gets no span of ours, only the tenant baggage when the
 * destination is trusted; instrumentation-http's span is the one (instrumented-client-span.ts).
 */

type RequestFn = typeof http.request;
type GetFn = typeof http.get;

interface Patched {
  readonly module: typeof http | typeof https;
  readonly request: RequestFn;
  readonly get: GetFn;
  readonly wrappedRequest: RequestFn;
  readonly wrappedGet: GetFn;
}

const RESPONSE_FINISH = 'http.client.response.finish';
const REQUEST_ERROR = 'http.client.request.error';

/** Wraps `request`/`get` of node:http and node:https; returns the function that restores them. */
export function patchNodeHttp(config: ClientCallConfig): () => void {
  const calls = new WeakMap<object, ClientCall>();
  // A wrapper installed on top of ours keeps ours in its chain after uninstall: it must then pass through.
  let active = true;

  const trace = (req: http.ClientRequest, defaultProtocol: string): void => {
    try {
      if (!active || req.headersSent) return;
      const protocol = req.protocol || defaultProtocol;
      const hostHeader = req.getHeader('host');
      const authority = typeof hostHeader === 'string' ? new URL(`${protocol}//${hostHeader}`) : undefined;
      const outbound = {
        method: req.method,
        protocol,
        hostname: req.host,
        port: authority === undefined ? portOf(protocol, '') : portOf(protocol, authority.port),
        pathname: req.path.split('?', 1)[0] ?? '/',
      };
      if (req.getHeader('traceparent') !== undefined) {
        // Traced already: by instrumentation-http (its span is the call's one span, marked by
        // InstrumentedClientSpanProcessor) or by the host. Only the trusted baggage is ours to add.
        if (req.getHeader('baggage') === undefined) for (const [name, value] of Object.entries(trustedBaggage(outbound, config))) req.setHeader(name, value);
        return;
      }
      const call = startClientCall(outbound, config);
      if (call === undefined) return;
      for (const [name, value] of Object.entries(call.headers)) {
        if (name === 'baggage' && req.getHeader('baggage') !== undefined) continue;
        req.setHeader(name, value);
      }
      calls.set(req, call);
      // `close` always comes last; without a response by then the call was aborted.
      req.once('close', () => {
        if (!calls.has(req)) return;
        calls.delete(req);
        call.fail(Object.assign(new Error('request closed before a response'), { code: 'ECONNRESET' }));
      });
    } catch (error) {
      diag.debug('stitch http-out: node:http request not traced', error);
    }
  };

  const patch = (module: typeof http | typeof https, defaultProtocol: string): Patched => {
    const originalRequest = module.request;
    const originalGet = module.get;
    // Named like Node's own functions: some libraries check `fn.name`.
    const wrappedRequest = function request(this: unknown, ...args: unknown[]): http.ClientRequest {
      const req = (originalRequest as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      trace(req, defaultProtocol);
      return req;
    } as RequestFn;
    // Node's own get() calls its module-internal request(), so it is rebuilt on the wrapper:
    // the same two steps as Node's (request, then end()).
    const wrappedGet = function get(this: unknown, ...args: unknown[]): http.ClientRequest {
      const req = (wrappedRequest as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      req.end();
      return req;
    } as GetFn;
    module.request = wrappedRequest;
    module.get = wrappedGet;
    return { module, request: originalRequest, get: originalGet, wrappedRequest, wrappedGet };
  };

  const onResponse = (message: unknown): void => {
    const { request, response } = message as { request: object; response: http.IncomingMessage };
    const call = calls.get(request);
    if (call === undefined) return;
    calls.delete(request);
    call.response(response.statusCode ?? 0);
    response.once('close', () => {
      if (!response.complete) call.fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' }));
      else call.end();
    });
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as { request: object; error: unknown };
    const call = calls.get(request);
    if (call === undefined) return;
    calls.delete(request);
    call.fail(error);
  };

  const patched = [patch(http, 'http:'), patch(https, 'https:')];
  // `import { request } from 'node:http'` reads ESM bindings that Node syncs only on request.
  syncBuiltinESMExports();
  diagnosticsChannel.subscribe(RESPONSE_FINISH, onResponse);
  diagnosticsChannel.subscribe(REQUEST_ERROR, onError);

  return () => {
    active = false;
    diagnosticsChannel.unsubscribe(RESPONSE_FINISH, onResponse);
    diagnosticsChannel.unsubscribe(REQUEST_ERROR, onError);
    for (const p of patched) {
      // Restore only what is still ours: a wrapper installed on top of ours (another
      // instrumentation) keeps calling through to the original.
      if (p.module.request === p.wrappedRequest) p.module.request = p.request;
      if (p.module.get === p.wrappedGet) p.module.get = p.get;
    }
    syncBuiltinESMExports();
  };
}
