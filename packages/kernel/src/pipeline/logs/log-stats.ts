/**
 * Counters of the logging path, read by the metrics endpoint. Module-level because every
 * logger of the process feeds the same numbers.
 */
export interface LogStats {
  /** Lines written outside any request, job or runInContext() (marked `context_missing: true`). */
  readonly contextMissing: number;
  /** Log calls that threw inside the logger (a hostile argument); each was replaced by a notice line. */
  readonly failedCalls: number;
}

const counters = { contextMissing: 0, failedCalls: 0 };

/**
 * A snapshot of the logging counters.
 *
 * @example
 *   const { contextMissing } = logStats();
 */
export function logStats(): LogStats {
  return { ...counters };
}

/** @internal */
export function countContextMissing(): void {
  counters.contextMissing += 1;
}

/** @internal */
export function countFailedCall(): void {
  counters.failedCalls += 1;
}
