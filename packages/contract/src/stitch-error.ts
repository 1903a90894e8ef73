import { ERROR_CODES, formatErrorMessage } from './errors.js';
import type { ErrorCode } from './errors.js';

export interface StitchErrorOptions {
  cause?: unknown;
  /** Response headers the HTTP layer sends with the envelope: `Retry-After`, `WWW-Authenticate`. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * The one error class Stitch throws, in the kernel and the collector alike. `code` is stable and
 * documented (docs/errors.md); `status` is what the HTTP layer answers with if the error reaches
 * it, as the `{ error: { code, message, traceId, requestId } }` envelope plus `headers`.
 *
 * @example
 *   throw new StitchError('STITCH_ERR_TENANT_REQUIRED');
 *   throw new StitchError('STITCH_ERR_COLLECTOR_QUEUE_FULL', { retryAfter: 2 }, { headers: { 'retry-after': '2' } });
 */
export class StitchError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: Readonly<Record<string, string | number>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, params: Readonly<Record<string, string | number>> = {}, options: StitchErrorOptions = {}) {
    super(formatErrorMessage(code, params), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StitchError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.params = params;
    this.headers = options.headers ?? {};
  }
}

export function isStitchError(value: unknown): value is StitchError {
  return value instanceof StitchError;
}
