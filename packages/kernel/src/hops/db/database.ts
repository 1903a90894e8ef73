import type { Queryable } from './queryable.js';

/** A transaction handle: a Queryable bound to one connection inside BEGIN … COMMIT. */
export type Transaction = Queryable;

/**
 * A traced, annotated database: what `createPgDatabase` and `createPgliteDatabase` return.
 * Every statement is a span and carries the sqlcommenter comment; `transaction()` hands its
 * callback a handle that `audit`, `outbox`, `webhooks` and the job adapters accept.
 */
export interface Database extends Queryable {
  /**
   * Runs `fn` inside BEGIN … COMMIT on one connection; a throw (or rejection) rolls back and is
   * rethrown unchanged.
   *
   * @example
   *   await db.transaction(async (tx) => {
   *     await tx.query('UPDATE orders SET state = $1 WHERE id = $2', ['paid', id]);
   *     await outbox.add(tx, { type: 'order.paid', aggregateId: id, payload: { id } });
   *   });
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Closes what this wrapper opened (a Pool or PGlite instance passed in is closed too). */
  close(): Promise<void>;
}
