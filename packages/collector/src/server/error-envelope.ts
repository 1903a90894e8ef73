import { randomBytes } from 'node:crypto';
import type { ErrorEnvelope } from '@stitch/contract';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StitchError } from '@stitch/contract';

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

const traceIds = new WeakMap<FastifyRequest, string>();

/**
 * The caller's trace id when it sent a valid traceparent, else a fresh one for this answer;
 * the same one on every call for a request, so the envelope and the server log agree.
 */
export function traceIdOf(request: FastifyRequest): string {
  const known = traceIds.get(request);
  if (known) return known;
  const header = request.headers.traceparent;
  const match = typeof header === 'string' ? TRACEPARENT.exec(header) : null;
  const traceId = match?.[1] ?? randomBytes(16).toString('hex');
  traceIds.set(request, traceId);
  return traceId;
}

const sentCodes = new WeakMap<FastifyReply, string>();

/** The error code a reply was answered with, if it was an error (for the refusal counters). */
export function errorCodeOf(reply: FastifyReply): string | undefined {
  return sentCodes.get(reply);
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: StitchError): FastifyReply {
  sentCodes.set(reply, error.code);
  const body: ErrorEnvelope = {
    error: { code: error.code, message: error.message, traceId: traceIdOf(request), requestId: String(request.id) },
  };
  for (const [k, v] of Object.entries(error.headers)) void reply.header(k, v);
  return reply.code(error.status).type('application/json').send(body);
}

/**
 * Maps everything that reaches fastify's error handler onto the envelope: our coded errors as
 * they are, fastify's own (body too large, bad content type) onto collector codes, and the rest
 * onto an internal error whose detail (message, stack) goes to the server log at `error`, with
 * the envelope's requestId and traceId and the route.
 */
export function installErrorHandler(app: FastifyInstance, maxBodyBytes: number): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof StitchError) return sendError(request, reply, err);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(request, reply, new StitchError('STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE', { limit: maxBodyBytes }));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(
        request,
        reply,
        new StitchError('STITCH_ERR_COLLECTOR_UNSUPPORTED_MEDIA_TYPE', { contentType: String(request.headers['content-type'] ?? '') }),
      );
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(request, reply, new StitchError('STITCH_ERR_COLLECTOR_BAD_QUERY', { detail: err.message }));
    }
    // The one place a 500's cause is kept: errorId holds the envelope's ids, so the line is found
    // from what the caller got (nested, not top-level: the collector runs no kernel context, and
    // requestId/traceId at the top are the kernel logger's own fields). The request itself (body,
    // headers, so the Authorization header) is never logged.
    request.log.error(
      {
        err,
        errorId: { requestId: String(request.id), traceId: traceIdOf(request) },
        method: request.method,
        route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
      },
      'unhandled error answered 500',
    );
    return sendError(request, reply, new StitchError('STITCH_ERR_EDGE_INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new StitchError('STITCH_ERR_EDGE_NOT_FOUND', { method: request.method, path: request.url.split('?')[0] ?? '' })),
  );
}
