import { context } from '@opentelemetry/api';
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { IncomingMessage } from 'node:http';
import type { EdgeOptionsInput } from './edge-options.js';
import { notFoundError, pathOf, toErrorResponse } from './error-envelope.js';
import { createEdge, startRequest } from './start-request.js';
import type { EdgeRequest } from './start-request.js';

/** Options of the Fastify plugin: the edge options plus whether it answers errors. */
export interface StitchFastifyOptions extends EdgeOptionsInput {
  /**
   * Install the error and not-found handlers that answer in the error envelope (default
   * `true`). Set `false` when the app installs its own; it can build the same envelope with
   * `toErrorResponse()`.
   */
  readonly handleErrors?: boolean;
}

const edgeRequests = new WeakMap<IncomingMessage, EdgeRequest>();

/**
 * Runs every request's hook chain, body parsing and handler inside its edge context. The
 * `onRequest` hook is callback-style on purpose: Fastify calls the next hook, then
 * pre-parsing, body parsing, validation, `preHandler` and the handler from inside `done`,
 * synchronously, so calling `done` within `context.with` puts all of them in the request's
 * context; the body parser's stream callbacks are kept there by the edge's emitter binding.
 */
const plugin: FastifyPluginCallback<StitchFastifyOptions> = (fastify: FastifyInstance, options, done) => {
  const { handleErrors = true, ...edgeOptions } = options;
  // sqlcommenter's `framework`, in the spec's `name:version` form.
  const edge = createEdge(edgeOptions, `fastify:${fastify.version}`);

  fastify.addHook('onRequest', (request, reply, next) => {
    const edgeRequest = startRequest(edge, request.raw, reply.raw, request.routeOptions.url);
    edgeRequests.set(request.raw, edgeRequest);
    context.with(edgeRequest.context, next);
  });

  if (handleErrors) {
    fastify.setErrorHandler((error: unknown, request, reply) => sendEnvelope(request, reply, error));
    fastify.setNotFoundHandler((request, reply) => sendEnvelope(request, reply, notFoundError(request.method, pathOf(request.url))));
  }
  done();
};

function sendEnvelope(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const { status, body } = toErrorResponse(error, edgeRequests.get(request.raw), pathOf(request.url));
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * The Fastify 5 plugin. Registered with `fastify-plugin`, so its hook and handlers apply to
 * the whole app, not only to an encapsulated child. Register it before the routes. The span
 * and `routeId` take the route template (`request.routeOptions.url`) from the start.
 *
 * @example
 *   const app = Fastify();
 *   await app.register(stitchFastify, { trustedUpstreams: ['10.0.0.0/8'] });
 *   app.get('/orders/:id', async () => ({ traceId: currentContext().traceId }));
 */
export const stitchFastify = fastifyPlugin(plugin, { fastify: '5.x', name: '@stitch/kernel/edge/fastify' });
