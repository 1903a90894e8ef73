import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { DecodedBatch } from '../otlp/records.js';
import { runInSlices } from '../ingest/work-in-slices.js';
import { appendRowsSteps, eventValues, linkValues, logValues, spanValues } from './append-rows.js';
import { ROW_MIGRATIONS, SCHEMA_SQL } from './schema.js';
import type { Row, SqlParams, Store, WriteCounts } from './store.js';

// Appending gives the event loop a turn this often (reads and new requests are served while a
// large transaction is built); the write connection runs nothing else meanwhile (serialize()).
const APPEND_SLICE_MILLIS = 10;
// Appends of this many rows and more are staged in a temp table (see DuckDbStore.append).
const STAGED_APPEND_ROWS = 16_384;

/**
 * The DuckDB settings every store opens with. `auto_checkpoint_skip_wal_threshold` is raised
 * out of reach (issue 15). By default a commit DuckDB estimates at 100k WAL entries or more
 * skips the WAL and checkpoints its rows straight into the file. A 90k-span OTLP/JSON request
 * is past it, and that COMMIT took 2.5–4.5 s, during which every other commit waited: the
 * audit row of a trace question asked meanwhile (writeAside) and so its answer. Written to the
 * WAL first (fsynced before COMMIT returns, like every smaller commit), the same request's
 * COMMIT, checkpoint included, took 0.6–0.8 s. Commits still wait for a checkpoint in
 * progress (DuckDB 1.5), so this shortens the wait; it does not remove it.
 */
function duckDbSettings(options: DuckDbStoreOptions): Record<string, string> {
  return {
    memory_limit: options.memoryLimit ?? '1GB',
    threads: String(options.threads ?? 2),
    auto_checkpoint_skip_wal_threshold: String(Number.MAX_SAFE_INTEGER),
  };
}

/** The version a store file was written with; 0 when it says none (a new file: the rewrites find no rows). */
async function storedVersion(writer: DuckDBConnection): Promise<number> {
  try {
    const rows = (await writer.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)).getRowObjectsJson();
    return rows.length === 0 ? 0 : Number(rows[0]!.value);
  } catch {
    return 0; // no meta table yet
  }
}

/** Brings the tables to SCHEMA_SQL and old rows through ROW_MIGRATIONS, all or nothing. */
async function migrate(writer: DuckDBConnection): Promise<void> {
  const from = await storedVersion(writer);
  const rewrites = ROW_MIGRATIONS.filter((m) => m.version > from);
  await writer.run('BEGIN TRANSACTION');
  try {
    await writer.run(SCHEMA_SQL);
    for (const m of rewrites) await writer.run(m.sql);
    await writer.run('COMMIT');
  } catch (err) {
    await writer.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export interface DuckDbStoreOptions {
  /** Path of the DuckDB file; ':memory:' only for throwaway use. */
  path: string;
  /** DuckDB memory_limit, e.g. '1GB'. */
  memoryLimit?: string;
  threads?: number;
}

/**
 * The embedded DuckDB store: one instance per data file, one connection for writes, a fresh
 * connection per read (DuckDB connections are cheap and run one statement at a time).
 *
 * Durability: `write()` appends every row of the given batches inside one transaction and
 * returns after COMMIT. DuckDB's commit appends the transaction to `<file>.wal` and fsyncs it
 * before returning, so a kill -9 after `write()` resolved loses nothing: the WAL is replayed on
 * the next open. A kill -9 before it resolved loses that transaction whole (never half of it),
 * and since the receiver answers 200 only after `write()` resolved, the sender still holds it
 * and retries.
 */
export class DuckDbStore implements Store {
  readonly dialect = 'duckdb';

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly aside: DuckDBConnection,
    readonly path: string,
  ) {}

  static async open(options: DuckDbStoreOptions): Promise<DuckDbStore> {
    const instance = await DuckDBInstance.create(options.path, duckDbSettings(options));
    const writer = await instance.connect();
    await migrate(writer);
    return new DuckDbStore(instance, writer, await instance.connect(), options.path);
  }

  // The write connection runs one transaction at a time; every use goes through this chain so
  // a retention delete never lands inside (or aborts with) an ingest transaction.
  private chain: Promise<unknown> = Promise.resolve();
  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
  private asideChain: Promise<unknown> = Promise.resolve();

  /** Appends all rows of `batches` in one transaction; resolves once committed (see class doc). */
  write(batches: readonly DecodedBatch[]): Promise<WriteCounts> {
    return this.serialize(() => this.writeNow(batches));
  }

  private async writeNow(batches: readonly DecodedBatch[]): Promise<WriteCounts> {
    const counts: WriteCounts = { spans: 0, events: 0, links: 0, logs: 0 };
    await this.writer.run('BEGIN TRANSACTION');
    try {
      const has = (k: 'spans' | 'events' | 'links' | 'logs'): boolean => batches.some((b) => b[k].length > 0);
      if (has('spans')) await this.append('spans', batches.flatMap((b) => b.spans), spanValues);
      if (has('events')) await this.append('span_events', batches.flatMap((b) => b.events), eventValues);
      if (has('links')) await this.append('span_links', batches.flatMap((b) => b.links), linkValues);
      if (has('logs')) await this.append('logs', batches.flatMap((b) => b.logs), logValues);
      await this.writer.run('COMMIT');
    } catch (err) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    for (const b of batches) {
      counts.spans += b.spans.length;
      counts.events += b.events.length;
      counts.links += b.links.length;
      counts.logs += b.logs.length;
    }
    return counts;
  }

  /**
   * Appends `rows` to `table` inside the open transaction. A large append goes through a temp
   * table first (issue 15). The appender's closeSync into a disk table writes out everything the
   * transaction appended, synchronously: 0.4–1.6 s for 250k spans, with the event loop held.
   * Into a temp table it takes a few ms, and the `INSERT … SELECT` that moves the rows runs on
   * DuckDB's threads, off the event loop. Small appends, the common case, go straight in.
   */
  private async append<T>(table: string, rows: readonly T[], toValues: (row: T) => DuckDBValue[]): Promise<void> {
    const staged = rows.length >= STAGED_APPEND_ROWS;
    const target = staged ? `${table}_incoming` : table;
    if (staged) await this.writer.run(`CREATE OR REPLACE TEMP TABLE ${target} AS SELECT * FROM ${table} LIMIT 0`);
    const appender = await this.writer.createAppender(target);
    await runInSlices(appendRowsSteps(appender, rows, toValues), APPEND_SLICE_MILLIS);
    appender.closeSync();
    if (staged) {
      await this.writer.run(`INSERT INTO ${table} SELECT * FROM ${target}`);
      await this.writer.run(`DROP TABLE ${target}`);
    }
  }

  /** Runs a read on its own connection; rows come back JSON-safe (BIGINT as string). */
  async query(sql: string, params: SqlParams = []): Promise<Row[]> {
    const conn = await this.instance.connect();
    try {
      const reader = await conn.runAndReadAll(sql, params as DuckDBValue[]);
      return reader.getRowObjectsJson() as Row[];
    } finally {
      conn.closeSync();
    }
  }

  /** Runs a statement on the write connection, after the ingest transactions before it (retention deletes); resolves to the rows it changed. */
  exec(sql: string, params: SqlParams = []): Promise<number> {
    return this.serialize(async () => (await this.writer.run(sql, params as DuckDBValue[])).rowsChanged);
  }

  /**
   * A small write that must not wait for an ingest transaction (the audit row an answered API
   * request writes before its answer leaves): on a connection of its own, one statement at a
   * time, committed (fsynced) before it resolves. DuckDB runs it beside an open ingest
   * transaction (optimistic concurrency; the two never touch the same rows), so a question
   * asked while a 250k-span request is being stored is answered then, not seconds later.
   */
  writeAside(sql: string, params: SqlParams = []): Promise<number> {
    const next = this.asideChain.then(async () => (await this.aside.run(sql, params as DuckDBValue[])).rowsChanged);
    this.asideChain = next.catch(() => undefined);
    return next;
  }

  private closed = false;

  /** Idempotent: a second close (a shutdown after a failed start, say) does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A checkpoint folds the WAL into the file, so the next open does not replay it.
    await this.asideChain;
    await this.serialize(() => this.writer.run('CHECKPOINT')).catch(() => undefined);
    this.aside.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
  }
}
