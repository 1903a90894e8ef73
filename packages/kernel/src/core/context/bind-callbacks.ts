import { context } from '@opentelemetry/api';

const BOUND = Symbol('stitch.boundCallbackMethods');

/**
 * Makes the named callback-style methods of `target` call their callback (the last argument,
 * when it is a function) in the context of the caller, not in whatever context the library
 * happens to finish in. Returns `target`, patched in place; idempotent per method.
 *
 * The case it exists for: a `pg.Pool` with more queries than connections queues them and runs
 * a queued query's callback from the `release()` of another query — in that other request's
 * context (brianc/node-postgres#2533). Promises (`await pool.query(...)`) are not affected.
 *
 * @example
 *   const pool = bindCallbacks(new pg.Pool({ max: 10 }), ['query', 'connect']);
 *   pool.on('connect', (client) => bindCallbacks(client, ['query']));
 */
export function bindCallbacks<T extends object>(target: T, methods: readonly (keyof T & string)[]): T {
  const record = target as unknown as Record<string | symbol, unknown>;
  const done = (record[BOUND] as Set<string> | undefined) ?? new Set<string>();
  record[BOUND] = done;
  for (const name of methods) {
    const original = record[name];
    if (typeof original !== 'function' || done.has(name)) continue;
    done.add(name);
    record[name] = function (this: unknown, ...args: unknown[]): unknown {
      const last = args.length - 1;
      if (last >= 0 && typeof args[last] === 'function') args[last] = context.bind(context.active(), args[last] as () => unknown);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  return target;
}
