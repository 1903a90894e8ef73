/**
 * The uncommented-statement guard (driver-guard.ts) on the PGlite instance the wrapper was
 * given: `query`, `exec` and `transaction` (whose handle's statements never carry the comment),
 * as instance properties. `sql` goes through `query`.
 */
import type { PGlite } from '@electric-sql/pglite';
import { guardMethod, refuseAsRejection } from '../driver-guard.js';

const GUARDED = Symbol('stitch.db.driverGuard');

/**
 * Guards `pglite` once it is ready: PGlite's start-up runs its own statements through `query`
 * and `exec` (array types, `SET ROLE`), in whatever context the instance was made in.
 */
export function guardPglite(pglite: PGlite): void {
  const record = pglite as unknown as Record<symbol, unknown>;
  if (record[GUARDED] === true) return;
  record[GUARDED] = true;
  pglite.waitReady.then(
    () => {
      for (const method of ['query', 'exec', 'transaction']) guardMethod(pglite, method, refuseAsRejection);
    },
    // A PGlite that never starts fails every call on its own.
    () => undefined,
  );
}
