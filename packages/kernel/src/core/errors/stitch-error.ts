import { ERROR_CODES, formatErrorMessage } from '@stitch/contract';
import type { ErrorCode } from '@stitch/contract';

/**
 * The one error class Stitch throws. `code` is stable and documented (docs/errors.md);
 * `status` is what the edge answers with if the error reaches it.
 *
 * @example
 *   throw new StitchError('STITCH_ERR_TENANT_REQUIRED');
 *   throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: 'STITCH_SAMPLE_RATIO=2: must be ≤ 1' });
 */
export class StitchError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: Readonly<Record<string, string | number>>;

  constructor(code: ErrorCode, params: Readonly<Record<string, string | number>> = {}, options?: { cause?: unknown }) {
    super(formatErrorMessage(code, params), options);
    this.name = 'StitchError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.params = params;
  }
}

export function isStitchError(value: unknown): value is StitchError {
  return value instanceof StitchError;
}
