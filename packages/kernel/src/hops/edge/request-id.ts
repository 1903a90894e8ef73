import { RequestIdSchema } from '@stitch/contract';
import { newRequestId } from '../../core/context/ids.js';

/** The header a request id travels in, both ways. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The request id of an incoming request: the caller's `x-request-id` when the caller is a
 * trusted upstream and the value is valid (RequestIdSchema: 8–120 of `A-Za-z0-9._:-`),
 * otherwise a new UUID. An untrusted id is never adopted: it would let any client pick the id
 * that logs, audit rows and SQL comments are searched by.
 *
 * @example
 *   resolveRequestId(req.headers['x-request-id'], isTrusted); // 'c0a8…' or a new UUID
 */
export function resolveRequestId(header: string | string[] | undefined, trusted: boolean): string {
  if (trusted && typeof header === 'string' && RequestIdSchema.safeParse(header).success) return header;
  return newRequestId();
}
