import type { ServerResponse } from 'node:http';
import type { ErrorCode, ErrorEnvelope } from '@stitch/contract';
import { tryCurrentContext } from '../../core/context/context-store.js';
import { isStitchError, StitchError } from '../../core/errors/stitch-error.js';
import { getEdgeRequest } from './start-request.js';
import type { EdgeRequest } from './start-request.js';

/** What to answer for an error: the status and the one envelope body. */
export interface ErrorResponse {
  readonly status: number;
  readonly body: ErrorEnvelope;
}

// Client errors raised by frameworks and their plugins (http-errors' `status`, fastify's
// `statusCode`), mapped onto the registry. A 4xx not listed is answered as a bad request.
const CLIENT_ERROR_CODES: Readonly<Record<number, ErrorCode>> = {
  401: 'STITCH_ERR_EDGE_UNAUTHENTICATED',
  403: 'STITCH_ERR_EDGE_FORBIDDEN',
  405: 'STITCH_ERR_EDGE_METHOD_NOT_ALLOWED',
  413: 'STITCH_ERR_EDGE_PAYLOAD_TOO_LARGE',
  415: 'STITCH_ERR_EDGE_UNSUPPORTED_MEDIA_TYPE',
  429: 'STITCH_ERR_EDGE_RATE_LIMITED',
};

/**
 * Turns any thrown value into a StitchError fit to answer with. A StitchError stays as is; a
 * framework's client error (a 4xx `status`/`statusCode`) maps onto the registry, its message
 * kept as detail unless it says `expose: false`; anything else becomes
 * `STITCH_ERR_EDGE_INTERNAL` (500) and its message is not passed on: it may hold SQL,
 * paths or secrets.
 *
 * @example
 *   toStitchError(new Error('db password=…')).message; // 'Internal error.'
 */
export function toStitchError(error: unknown, request?: { method: string; path: string }): StitchError {
  if (isStitchError(error)) return error;
  const status = clientStatusOf(error);
  if (status === undefined) return new StitchError('STITCH_ERR_EDGE_INTERNAL', {}, { cause: error });
  const exposed = (error as { expose?: unknown }).expose !== false;
  const detail = exposed && error instanceof Error ? error.message : 'rejected';
  if (status === 404) {
    return new StitchError('STITCH_ERR_EDGE_NOT_FOUND', { method: request?.method ?? '', path: request?.path ?? '' }, { cause: error });
  }
  const code = CLIENT_ERROR_CODES[status] ?? 'STITCH_ERR_EDGE_BAD_REQUEST';
  const limit = (error as { limit?: unknown }).limit;
  const contentType = (error as { contentType?: unknown }).contentType;
  return new StitchError(
    code,
    {
      detail,
      method: request?.method ?? '',
      limit: typeof limit === 'number' ? limit : 'the allowed number of',
      contentType: typeof contentType === 'string' ? contentType : 'of this request',
    },
    { cause: error },
  );
}

/**
 * The status and envelope `{ error: { code, message, traceId, requestId } }` for an error,
 * with the ids of the request it belongs to (the edge request of the current context, else
 * the current context; empty strings outside any).
 *
 * @example
 *   const { status, body } = toErrorResponse(new StitchError('STITCH_ERR_EDGE_FORBIDDEN'));
 *   reply.code(status).send(body);
 */
export function toErrorResponse(error: unknown, edgeRequest: EdgeRequest | undefined = getEdgeRequest(), path?: string): ErrorResponse {
  const stitchError = toStitchError(error, edgeRequest === undefined ? undefined : { method: edgeRequest.method, path: path ?? '' });
  if (stitchError.status >= 500) edgeRequest?.recordError(error);
  const fallback = edgeRequest === undefined ? tryCurrentContext() : undefined;
  return {
    status: stitchError.status,
    body: {
      error: {
        code: stitchError.code,
        message: stitchError.message,
        traceId: edgeRequest?.traceId ?? fallback?.traceId ?? '',
        requestId: edgeRequest?.requestId ?? fallback?.requestId ?? '',
      },
    },
  };
}

/**
 * Answers `res` with the error envelope. When the headers already went out (a stream failed
 * half-way) the response is cut instead: a second status line is impossible.
 *
 * @example
 *   sendErrorResponse(res, new StitchError('STITCH_ERR_EDGE_UNAUTHENTICATED'));
 */
export function sendErrorResponse(res: ServerResponse, error: unknown, edgeRequest: EdgeRequest | undefined = getEdgeRequest()): void {
  const path = pathOf(res.req?.url);
  const { status, body } = toErrorResponse(error, edgeRequest, path);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.end(payload);
}

/** The error for a request no route matches. */
export function notFoundError(method: string, path: string): StitchError {
  return new StitchError('STITCH_ERR_EDGE_NOT_FOUND', { method, path });
}

function clientStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && value >= 400 && value < 500 ? value : undefined;
}

/** The path of a request URL without its query (which may carry tokens). */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? url : url.slice(0, queryAt);
}
