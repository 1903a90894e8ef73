/**
 * The PGlite driver of the query wrapper (`@stitch/kernel/db/pglite`): embedded Postgres, the
 * default database when no server is configured. Only PGlite's types are imported.
 */
import type { PGlite, Results, Transaction as PgliteTransaction } from '@electric-sql/pglite';
import { parseDbOptions } from '../db-options.js';
import type { DbOptionsInput } from '../db-options.js';
import type { Database, Transaction } from '../database.js';
import { createTracedQuery } from '../traced-query.js';
import { runTracedTransaction } from '../traced-transaction.js';
import type { ExecuteStatement, TracedQueryConfig } from '../traced-query.js';
import type { QueryResultRows } from '../queryable.js';
import { whenStrictModeOn } from '../../../setup/config/strict-mode.js';
import { asKernelStatement } from '../driver-guard.js';
import { guardPglite } from './pglite-driver-guard.js';

export type PgliteDatabaseOptions = DbOptionsInput;

function rowCountOf(result: Results<Record<string, unknown>>): number {
  // PGlite reports affectedRows for INSERT/UPDATE/DELETE and 0 for a SELECT.
  return result.affectedRows !== undefined && result.affectedRows > 0 ? result.affectedRows : result.rows.length;
}

function executeOn(target: PGlite | PgliteTransaction): ExecuteStatement<Results<Record<string, unknown>>> {
  // PGlite's own promise, unwrapped: the wrapper reads the rows with rowsOf in the callback it
  // has anyway, so a statement costs no promise of ours (see traced-query.ts).
  return (text, params) => asKernelStatement(() => target.query<Record<string, unknown>>(text, params as unknown[] | undefined));
}

function rowsOf(result: Results<Record<string, unknown>>): QueryResultRows<Record<string, unknown>> {
  return { rows: result.rows, rowCount: rowCountOf(result) };
}

/**
 * Wraps a PGlite instance. PGlite has no server-side named statements, so the `name` option only
 * names the span and selects the query budget. PGlite runs one transaction at a time.
 *
 * @example
 *   import { PGlite } from '@electric-sql/pglite';
 *   import { createPgliteDatabase } from '@stitch/kernel/db/pglite';
 *   const db = createPgliteDatabase(new PGlite(), { application: 'billing' });
 */
export function createPgliteDatabase(pglite: PGlite, options: PgliteDatabaseOptions = {}): Database {
  const config: TracedQueryConfig<Results<Record<string, unknown>>> = {
    options: parseDbOptions(options),
    rowsOf,
    system: 'postgresql',
    dbDriver: '@electric-sql/pglite',
    supportsNamedStatements: false,
    ready: () => pglite.waitReady,
  };
  // Strict mode: a statement sent on `pglite` around the wrapper, inside a context, raises.
  const cancelGuard = whenStrictModeOn(() => guardPglite(pglite));
  return {
    query: createTracedQuery(executeOn(pglite), config),
    transaction: <T>(fn: (tx: Transaction) => Promise<T>) =>
      runTracedTransaction('postgresql', () =>
        asKernelStatement(() => pglite.transaction((pgTx) => fn({ query: createTracedQuery(executeOn(pgTx), config) }))),
      ),
    close: () => {
      cancelGuard();
      return pglite.close();
    },
  };
}
