import { context } from '@opentelemetry/api';
import { getScope } from '../../core/context/context-store.js';
import { isStrictMode, strictModeApplies, strictViolation } from '../../setup/config/strict-mode.js';

/**
 * Strict mode's run-time twin of the `no-direct-db-driver` lint rule: a statement that reaches
 * the driver of a database the kernel wraps (the pg Pool or Client, the PGlite instance handed
 * to `createPgDatabase` / `createPgliteDatabase`) from inside a context, without going through
 * the wrapper, carries no Stitch comment: `pg_stat_activity` and slow-query logs would show a
 * statement no trace leads to. It raises STITCH_ERR_STRICT_QUERY_UNCOMMENTED at the caller.
 *
 * The wrapper's own driver calls (its statements, BEGIN/COMMIT/ROLLBACK, the connection a
 * transaction checks out) run in `asKernelStatement`; nothing is excused by its SQL text.
 * Outside a context (start-up DDL, a fixture, a driver's own bookkeeping) nothing is raised:
 * there is no request for a comment to name.
 */

// Driver calls are synchronous up to the point where the statement is queued: a counter held
// for that call is enough, and costs a statement nothing when strict mode is off.
let kernelCalls = 0;

/**
 * Runs one synchronous driver call of the wrapper's: the guard lets it (and what the driver
 * does synchronously inside it) through.
 *
 * @example
 *   return asKernelStatement(() => connection.query(config));
 */
export function asKernelStatement<T>(call: () => T): T {
  kernelCalls += 1;
  try {
    return call();
  } finally {
    kernelCalls -= 1;
  }
}

/** Whether a driver call of the wrapper's (or one the guard already let through) is in progress. */
export function kernelStatementInProgress(): boolean {
  return kernelCalls > 0;
}

/** The violation for a driver call in progress, or `undefined` when it is allowed. */
export function uncommentedStatementViolation(): Error | undefined {
  if (kernelCalls > 0 || !isStrictMode()) return undefined;
  const active = context.active();
  if (getScope(active) === undefined || !strictModeApplies(active)) return undefined;
  return strictViolation('STITCH_ERR_STRICT_QUERY_UNCOMMENTED');
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Replaces `target[name]` with an own property that asks `guard` first and then calls the method
 * the driver has at call time: the prototype's when `target` had no own one, so a driver
 * instrumentation that patches the prototype later (instrumentation-pg) still sees every call.
 * `guard` answers a value to return instead of calling the driver (a rejected promise, say). A
 * call let through runs as a kernel statement, so what the driver does with it synchronously
 * (pg-pool's `query()` checking out a client, PGlite's `sql` calling `query`) is not asked again.
 */
export function guardMethod(target: object, name: string, guard: (args: unknown[]) => { readonly refused: unknown } | undefined): void {
  const record = target as Record<string, unknown>;
  const own = Object.prototype.hasOwnProperty.call(target, name) ? (record[name] as Method) : undefined;
  const prototype = Object.getPrototypeOf(target) as Record<string, unknown>;
  record[name] = function guarded(this: unknown, ...args: unknown[]): unknown {
    const refusal = guard(args);
    if (refusal !== undefined) return refusal.refused;
    const method = own ?? (prototype[name] as Method);
    return asKernelStatement(() => method.apply(this, args));
  };
}

/** The guard of a promise-returning driver method: a violation is its rejection. */
export function refuseAsRejection(): { readonly refused: unknown } | undefined {
  const violation = uncommentedStatementViolation();
  return violation === undefined ? undefined : { refused: Promise.reject(violation) };
}
