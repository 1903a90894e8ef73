import { ERROR_CODES, formatErrorMessage, type ErrorCode } from '@stitch/contract';

/**
 * An error with a stable code from the contract registry; the HTTP layer turns it into the
 * `{ error: { code, message, traceId, requestId } }` envelope with the code's status.
 */
export class CollectorError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    params: Readonly<Record<string, string | number>> = {},
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(formatErrorMessage(code, params));
    this.name = 'CollectorError';
    this.status = ERROR_CODES[code].status;
  }
}
