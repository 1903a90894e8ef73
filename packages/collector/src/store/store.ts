import type { DecodedBatch } from '../otlp/records.js';
import { DuckDbStore, type DuckDbStoreOptions } from './duckdb-store.js';

export type Row = Record<string, unknown>;

/**
 * A statement's parameters: by name (`$tenant` in DuckDB, `{tenant:String}` in ClickHouse) or
 * by position (`$1`, `$2`).
 */
export type SqlParams = Readonly<Record<string, unknown>> | readonly unknown[];

/**
 * How a read goes through the rows, for an engine that plans by it. `byTenant`: the read is one
 * tenant's rows, or groups every tenant's by tenant; ClickHouse then reads `stitch store
 * migrate`'s projection sorted by tenant, and otherwise the table in its own (time) order
 * (store/clickhouse/clickhouse-store.ts). DuckDB has one order and ignores it. Unset: one
 * tenant's when the statement binds `$tenant` (questions/query-scope.ts tenantClause).
 */
export interface ReadOptions {
  byTenant?: boolean;
}

/** Whose SQL a store runs: a question picks its statement by it (questions/engine-sql.ts). */
export type SqlDialect = 'duckdb' | 'clickhouse';

export interface WriteCounts {
  spans: number;
  events: number;
  links: number;
  logs: number;
}

/**
 * What the questions, ingest, audit and retention need of a store (issue 19: the same questions
 * on the embedded DuckDB file and on ClickHouse). Rows come back JSON-safe: 64-bit integers as
 * strings, on both engines.
 */
export interface Store {
  readonly dialect: SqlDialect;
  /** Where the data lives, for `stitch status`: a file path, or a ClickHouse URL without its password. */
  readonly path: string;
  /** Stores every row of `batches`; resolves once they are committed (a 200 to the sender means stored). */
  write(batches: readonly DecodedBatch[]): Promise<WriteCounts>;
  /** A read, in the store's dialect. */
  query(sql: string, params?: SqlParams, options?: ReadOptions): Promise<Row[]>;
  /**
   * A statement after the writes before it (retention deletes, migrations); resolves to the rows
   * it wrote. DuckDB counts the rows a DELETE removed; ClickHouse reports none for one, so a
   * caller that needs that number counts first (retention.ts).
   */
  exec(sql: string, params?: SqlParams): Promise<number>;
  /** A small committed write that must not wait behind ingest (the audit row of an answered request). */
  writeAside(sql: string, params?: SqlParams): Promise<number>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * The embedded default, under the name the rest of the code has always opened it by.
 *
 * @example const store = await Store.open({ path: '/tmp/stitch.duckdb' })
 */
export const Store = {
  open: (options: DuckDbStoreOptions): Promise<Store> => DuckDbStore.open(options),
};

export type { DuckDbStoreOptions as StoreOptions };
