import { context } from '@opentelemetry/api';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { pathToRegexp } from 'path-to-regexp';
import type { EdgeOptionsInput } from './edge-options.js';
import { pathOf, sendErrorResponse } from './error-envelope.js';
import { createEdge, startRequest } from './start-request.js';
import type { EdgeRequest } from './start-request.js';

/** Options of the `node:http` adapter: the edge options plus an optional route list. */
export interface NodeHttpEdgeOptions extends EdgeOptionsInput {
  /**
   * Route templates in path-to-regexp syntax (`/orders/:id`), tried in order against the
   * path: the first match names the span and the route. Handlers behind their own router
   * call `setRoute(template)` instead.
   */
  readonly routes?: readonly string[];
}

/** A request listener that may be async; a rejection is answered with the error envelope. */
export type EdgeRequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * Wraps a `node:http` request listener: each request gets its trace, request id, server span
 * and Stitch context; the listener runs inside it; an error it throws (or rejects with) is
 * answered with the error envelope; the span ends with the response.
 *
 * @example
 *   http.createServer(stitchRequestListener(async (req, res) => {
 *     res.end(JSON.stringify({ traceId: currentContext().traceId }));
 *   }, { routes: ['/orders/:id'] })).listen(3000);
 */
export function stitchRequestListener(listener: EdgeRequestListener, options: NodeHttpEdgeOptions = {}): RequestListener {
  const { routes = [], ...edgeOptions } = options;
  const edge = createEdge(edgeOptions);
  // A test, not path-to-regexp's match(): the edge needs which template matched, not its params
  // (a match() call builds a params object per request).
  const matchers = routes.map((template) => ({ template, regexp: pathToRegexp(template).regexp }));
  const findRoute = (url: string | undefined): string | undefined => {
    if (matchers.length === 0) return undefined;
    const path = pathOf(url);
    return matchers.find((matcher) => matcher.regexp.test(path))?.template;
  };

  return (req, res) => {
    const request = startRequest(edge, req, res, findRoute(req.url));
    context.with(request.context, runListener, undefined, listener, req, res, request);
  };
}

function runListener(listener: EdgeRequestListener, req: IncomingMessage, res: ServerResponse, request: EdgeRequest): void {
  let result: unknown;
  try {
    result = listener(req, res);
  } catch (error) {
    sendErrorResponse(res, error, request);
    return;
  }
  if (result instanceof Promise) result.catch((error: unknown) => sendErrorResponse(res, error, request));
}
