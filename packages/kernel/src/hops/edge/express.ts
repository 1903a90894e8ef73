import { createRequire } from 'node:module';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { EdgeOptionsInput } from './edge-options.js';
import { notFoundError, pathOf, sendErrorResponse } from './error-envelope.js';
import { createEdge, startRequest } from './start-request.js';
import type { EdgeRequest } from './start-request.js';

/** The three pieces of the Express adapter (4.18+ and 5), mounted first, after the routes, and last. */
export interface StitchExpress {
  /** Mount first: `app.use(edge.middleware)`. */
  readonly middleware: RequestHandler;
  /** Mount after every route: answers 404 in the error envelope. */
  readonly notFound: RequestHandler;
  /** Mount last: answers every error in the error envelope. */
  readonly errorHandler: ErrorRequestHandler;
}

const EDGE_REQUEST = Symbol('stitch.edgeRequest');
type EdgeAwareRequest = Request & { [EDGE_REQUEST]?: EdgeRequest };

/**
 * The Express adapter, for Express 5 and 4.18+ (one test suite runs on both). The middleware
 * starts the edge request and runs the rest of the chain (`next`) inside its context; the
 * route template is picked up the moment Express matches a route (`req.baseUrl` +
 * `req.route.path`), before the route's handlers run, so their spans and log lines carry it.
 *
 * Limitation: Express exposes a mount path only as matched, so a router mounted on a
 * parametrised path (`app.use('/t/:id', router)`) yields the value in `http.route`; mount
 * routers on fixed paths or call `setRoute()` in such routes.
 *
 * @example
 *   const edge = stitchExpress();
 *   app.use(edge.middleware);
 *   app.use(express.json());
 *   app.get('/orders/:id', handler);
 *   app.use(edge.notFound);
 *   app.use(edge.errorHandler);
 */
export function stitchExpress(options: EdgeOptionsInput = {}): StitchExpress {
  const edge = createEdge(options, expressFramework());

  const middleware: RequestHandler = (req, res, next) => {
    const request = startRequest(edge, req, res);
    (req as EdgeAwareRequest)[EDGE_REQUEST] = request;
    watchRoute(req, request);
    context.with(request.context, next);
  };

  const notFound: RequestHandler = (req, res) => {
    sendErrorResponse(res, notFoundError(req.method, pathOf(req.originalUrl)), (req as EdgeAwareRequest)[EDGE_REQUEST]);
  };

  const errorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    sendErrorResponse(res, error, (req as EdgeAwareRequest)[EDGE_REQUEST]);
  };

  return Object.freeze({ middleware, notFound, errorHandler });
}

/**
 * Express (router 2 in Express 5, its built-in router in Express 4) assigns `req.route` right
 * before it dispatches to the matched route's handlers; an accessor on that property learns the
 * template at that moment without patching Express.
 */
function watchRoute(req: Request, request: EdgeRequest): void {
  let route: unknown = (req as { route?: unknown }).route;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (path !== undefined) request.setRoute(joinRoute(req.baseUrl, typeof path === 'string' ? path : String(path)));
    },
  });
}

function joinRoute(baseUrl: string, path: string): string {
  if (baseUrl === '' || baseUrl === '/') return path;
  return path === '/' ? baseUrl : `${baseUrl}${path}`;
}

/**
 * sqlcommenter's `framework` for Express, `express:<version>` (the spec's form, as Django's
 * `django:2.2.1`). Express has no version property, so it is read from the `express` the
 * application resolves (from its working directory), once per adapter; `express` alone when it
 * cannot be read (a bundled application).
 */
function expressFramework(): string {
  try {
    const { version } = createRequire(join(process.cwd(), 'index.js'))('express/package.json') as { version?: unknown };
    return typeof version === 'string' ? `express:${version}` : 'express';
  } catch {
    return 'express';
  }
}
