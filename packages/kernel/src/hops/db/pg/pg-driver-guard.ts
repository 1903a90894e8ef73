/**
 * The uncommented-statement guard (driver-guard.ts) on a `pg` Pool or Client the wrapper was
 * given: instance properties only, so other pools and clients of the process, and pg's own
 * prototypes, stay as they are.
 */
import type { Client, Pool, PoolClient } from 'pg';
import { isStrictMode } from '../../../setup/config/strict-mode.js';
import { guardMethod, kernelStatementInProgress, uncommentedStatementViolation } from '../driver-guard.js';

const GUARDED = Symbol('stitch.db.driverGuard');
// Clients the service checked out of a guarded pool itself (`pool.connect()`), until released.
// The wrapper's own checkouts and the ones pg-pool's `query()` makes are never in it.
const checkedOutByService = new WeakSet<object>();

type Callback = (...args: unknown[]) => unknown;

/** Guards `connection` once; a second call (the same pool wrapped twice) does nothing. */
export function guardPgConnection(connection: Pool | Client, isPool: boolean): void {
  const record = connection as unknown as Record<symbol, unknown>;
  if (record[GUARDED] === true) return;
  record[GUARDED] = true;
  guardMethod(connection, 'query', refuseAsPgDoes);
  if (isPool) guardCheckouts(connection as Pool);
}

/**
 * pg's answer to a refused call, in the shape the caller asked for: the callback's error, a
 * rejection, or a throw for a Submittable (a cursor or stream has no promise to reject).
 */
function refuseAsPgDoes(args: unknown[]): { readonly refused: unknown } | undefined {
  const violation = uncommentedStatementViolation();
  if (violation === undefined) return undefined;
  const last = args.at(-1);
  if (typeof last === 'function') {
    process.nextTick(last as Callback, violation);
    return { refused: undefined };
  }
  if (typeof (args[0] as { submit?: unknown } | null)?.submit === 'function') throw violation;
  return { refused: Promise.reject(violation) };
}

function guardCheckouts(pool: Pool): void {
  const record = pool as unknown as Record<string, Callback>;
  const own = Object.prototype.hasOwnProperty.call(pool, 'connect') ? record.connect : undefined;
  const prototype = Object.getPrototypeOf(pool) as Record<string, Callback>;
  record.connect = function connect(this: Pool, ...args: unknown[]): unknown {
    const original = own ?? prototype.connect!;
    // The wrapper's transaction and pg-pool's own query() check out inside a kernel statement.
    if (kernelStatementInProgress() || !isStrictMode()) return original.apply(this, args);
    const callback = args[0];
    if (typeof callback === 'function') {
      return original.call(this, (error: unknown, client: PoolClient | undefined, done: unknown) => {
        if (client !== undefined) trackCheckout(client);
        return (callback as Callback)(error, client, done);
      });
    }
    return (original.apply(this, args) as Promise<PoolClient>).then((client) => {
      trackCheckout(client);
      return client;
    });
  };
}

/** Guards a client the service checked out: its statements are asked until it is released. */
function trackCheckout(client: PoolClient): void {
  const record = client as unknown as Record<string | symbol, unknown>;
  if (record[GUARDED] !== true) {
    record[GUARDED] = true;
    guardMethod(client, 'query', (args) => (checkedOutByService.has(client) ? refuseAsPgDoes(args) : undefined));
  }
  checkedOutByService.add(client);
  // pg-pool gives every checkout a fresh release(): wrapping this one ends this checkout only.
  const release = client.release;
  client.release = (error?: Error | boolean) => {
    checkedOutByService.delete(client);
    release.call(client, error);
  };
}
