/**
 * The `pg` driver of the query wrapper (`@stitch/kernel/db/pg`). Only `pg`'s types are
 * imported: the caller passes the Pool or Client it already configured, so loading this module
 * never loads `pg` itself.
 */
import type { Client, Pool, PoolClient, QueryConfig, QueryResult } from 'pg';
import { parseDbOptions } from '../db-options.js';
import type { DbOptionsInput } from '../db-options.js';
import type { Database, Transaction } from '../database.js';
import { createTracedQuery } from '../traced-query.js';
import { runTracedTransaction } from '../traced-transaction.js';
import type { ExecuteStatement, TracedQueryConfig } from '../traced-query.js';
import type { QueryResultRows } from '../queryable.js';
import { whenStrictModeOn } from '../../../setup/config/strict-mode.js';
import { asKernelStatement } from '../driver-guard.js';
import { guardPgConnection } from './pg-driver-guard.js';

export type PgDatabaseOptions = DbOptionsInput;

type Connection = Pool | Client | PoolClient;

function isPool(connection: Connection): connection is Pool {
  return typeof (connection as Pool).totalCount === 'number';
}

/**
 * Whether instrumentation-pg has wrapped this connection's `query` now (shimmer marks what it
 * wraps with `__wrapped`; disabling it unwraps): a pool's queries run on its Client class. It
 * patches the prototype; strict mode's guard may own the instance's `query`.
 */
function instrumentedByPg(connection: Connection): () => boolean {
  const client = isPool(connection)
    ? (connection as Pool & { Client?: { prototype: { query: unknown } } }).Client?.prototype
    : (Object.getPrototypeOf(connection) as { query?: unknown } | null);
  return () => (client?.query as { __wrapped?: unknown } | undefined)?.__wrapped === true;
}

function executeOn(connection: Pool | Client | PoolClient): ExecuteStatement<QueryResult> {
  // pg's own promise, unwrapped: the wrapper reads the rows with rowsOf in the callback it has
  // anyway, so a statement costs no promise of ours (see traced-query.ts).
  return (text, params, preparedName) => {
    const config: QueryConfig = { text, values: params as unknown[] | undefined };
    if (preparedName !== undefined) config.name = preparedName;
    return asKernelStatement(() => connection.query(config));
  };
}

function rowsOf(result: QueryResult): QueryResultRows<Record<string, unknown>> {
  return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount };
}

/**
 * Wraps a `pg` Pool or Client. With a Pool, each transaction checks out its own connection;
 * with a single Client, statements and transactions share it, so run one transaction at a time.
 *
 * @example
 *   import pg from 'pg';
 *   import { createPgDatabase } from '@stitch/kernel/db/pg';
 *   const db = createPgDatabase(new pg.Pool({ connectionString }), { application: 'billing' });
 *   const { rows } = await db.query('SELECT * FROM invoices WHERE id = $1', [id], { name: 'invoice.by_id' });
 */
export function createPgDatabase(connection: Pool | Client, options: PgDatabaseOptions = {}): Database {
  const config: TracedQueryConfig<QueryResult> = {
    options: parseDbOptions(options),
    rowsOf,
    system: 'postgresql',
    dbDriver: 'pg',
    supportsNamedStatements: true,
    driverTracesQueries: instrumentedByPg(connection),
  };
  const query = createTracedQuery(executeOn(connection), config);
  // Strict mode: a statement sent on `connection` around the wrapper, inside a context, raises.
  const cancelGuard = whenStrictModeOn(() => guardPgConnection(connection, isPool(connection)));

  function transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return runTracedTransaction('postgresql', () => inTransaction(fn));
  }

  async function inTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const client: Client | PoolClient = isPool(connection) ? await asKernelStatement(() => connection.connect()) : connection;
    const tx: Transaction = { query: createTracedQuery(executeOn(client), config) };
    let releaseError: Error | undefined;
    try {
      await asKernelStatement(() => client.query('BEGIN'));
      const value = await fn(tx);
      await asKernelStatement(() => client.query('COMMIT'));
      return value;
    } catch (error) {
      try {
        await asKernelStatement(() => client.query('ROLLBACK'));
      } catch (rollbackError) {
        // The connection is unusable (dropped, or mid-protocol): a pool must not hand it out again.
        releaseError = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      if (isPool(connection)) (client as PoolClient).release(releaseError);
    }
  }

  return {
    query,
    transaction,
    close: () => {
      cancelGuard();
      return connection.end();
    },
  };
}
