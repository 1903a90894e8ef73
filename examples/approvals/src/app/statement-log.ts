/**
 * What the embedded database engine received, statement by statement: PGlite has no server
 * log and no pg_stat_activity of other sessions, so the evidence's block [D] reads the text
 * each call handed to the engine (the kernel's SQL comment included) from here.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';

export interface StatementLog {
  /** Every statement received so far, oldest first (bounded: the last `limit`). */
  readonly statements: string[];
}

/** Records the text of every `query` on `pglite` and on its transactions. */
export function recordStatements(pglite: PGlite, limit = 5_000): StatementLog {
  const log: StatementLog = { statements: [] };
  const keep = (text: string): void => {
    log.statements.push(text);
    if (log.statements.length > limit) log.statements.shift();
  };
  const query = pglite.query.bind(pglite);
  pglite.query = ((text: string, ...rest: unknown[]) => {
    keep(text);
    return (query as (...args: unknown[]) => unknown)(text, ...rest);
  }) as PGlite['query'];
  const transaction = pglite.transaction.bind(pglite);
  pglite.transaction = (<T>(fn: (tx: Transaction) => Promise<T>) =>
    transaction((tx) => {
      const txQuery = tx.query.bind(tx);
      const recorded = Object.create(tx) as Transaction;
      recorded.query = ((text: string, ...rest: unknown[]) => {
        keep(text);
        return (txQuery as (...args: unknown[]) => unknown)(text, ...rest);
      }) as Transaction['query'];
      return fn(recorded);
    })) as PGlite['transaction'];
  return log;
}
