import { randomBytes } from 'node:crypto';
import type { ErrorEnvelope } from '@stitch/contract';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CollectorError } from '../errors/collector-error.js';

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The caller's trace id when it sent a valid traceparent, else a fresh one for this answer. */
export function traceIdOf(request: FastifyRequest): string {
  const header = request.headers.traceparent;
  const match = typeof header === 'string' ? TRACEPARENT.exec(header) : null;
  return match?.[1] ?? randomBytes(16).toString('hex');
}

const sentCodes = new WeakMap<FastifyReply, string>();

/** The error code a reply was answered with, if it was an error (for the refusal counters). */
export function errorCodeOf(reply: FastifyReply): string | undefined {
  return sentCodes.get(reply);
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: CollectorError): FastifyReply {
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
 * onto an internal error whose detail stays in the server log.
 */
export function installErrorHandler(app: FastifyInstance, maxBodyBytes: number): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof CollectorError) return sendError(request, reply, err);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(request, reply, new CollectorError('STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE', { limit: maxBodyBytes }));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(
        request,
        reply,
        new CollectorError('STITCH_ERR_COLLECTOR_UNSUPPORTED_MEDIA_TYPE', { contentType: String(request.headers['content-type'] ?? '') }),
      );
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(request, reply, new CollectorError('STITCH_ERR_COLLECTOR_BAD_QUERY', { detail: err.message }));
    }
    request.log.error({ err }, 'unhandled error');
    return sendError(request, reply, new CollectorError('STITCH_ERR_EDGE_INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new CollectorError('STITCH_ERR_EDGE_NOT_FOUND', { method: request.method, path: request.url.split('?')[0] ?? '' })),
  );
}
