import type { IngestStats } from './ingest-stats.js';
import { OTEL_LOGS_TABLE, OTEL_TRACES_TABLE } from './clickhouse/otel-tables.js';
import { RETAINED_TABLES } from './schema.js';
import type { Store } from './store.js';

export interface RetentionOptions {
  maxAgeHours: number;
  maxSizeMb: number;
  checkIntervalSeconds: number;
  /** Audit rows older than this go; the size limit never trims them (the audit is the record of who read what). */
  auditMaxAgeDays: number;
}

export interface RetentionRun {
  deletedSpans: number;
  deletedLogs: number;
  deletedAudit: number;
  /** Bytes in use in the DuckDB file after the pass; null on ClickHouse, whose size Stitch does not limit. */
  usedBytes: number | null;
}

/** Bytes in use inside the data file (not its length: DuckDB reuses freed blocks, it does not shrink). */
export async function usedBytes(store: Store): Promise<number> {
  const [row] = await store.query(
    `SELECT CAST((total_blocks - free_blocks) * block_size AS DOUBLE) AS used FROM pragma_database_size() LIMIT 1`,
  );
  return Number(row?.used ?? 0);
}

/** Rows deleted per table. Counted by the DELETEs themselves: ingest goes on during a pass, so
 * `count before - count after` went negative in `stitch status` (issue 11). */
type Deleted = Map<string, number>;

async function deleteBefore(store: Store, cutoffNanos: bigint, deleted: Deleted): Promise<void> {
  for (const { table, timeColumn } of RETAINED_TABLES) {
    const n = await store.exec(`DELETE FROM ${table} WHERE ${timeColumn} < $1`, [cutoffNanos]);
    deleted.set(table, (deleted.get(table) ?? 0) + n);
  }
}

// A plain CHECKPOINT fails while another connection holds a transaction (a long read); the
// next pass retries, and DuckDB's automatic checkpoint (WAL past 16 MiB) covers the meantime.
async function checkpoint(store: Store): Promise<void> {
  await store.exec('CHECKPOINT').catch(() => undefined);
}

/**
 * Audit rows older than auditMaxAgeDays go, on either engine. Counted before the DELETE, because
 * ClickHouse reports no deleted rows for a DELETE (its summary counts rows written); exact, as
 * only Stitch writes audit rows and always with the time of now, so none come under the cutoff
 * between the count and the DELETE. Nothing to delete, no DELETE: on ClickHouse each is a mutation.
 */
async function deleteOldAudit(store: Store, options: RetentionOptions, nowMillis: number): Promise<number> {
  const cutoff = BigInt(Math.floor(nowMillis - options.auditMaxAgeDays * 86_400_000)) * 1_000_000n;
  const [row] = await store.query(`SELECT count(*) AS n FROM audit WHERE time_ns < $1`, [cutoff]);
  const n = Number(row?.n ?? 0);
  if (n > 0) await store.exec(`DELETE FROM audit WHERE time_ns < $1`, [cutoff]);
  return n;
}

/**
 * Spans, events, links and logs in the DuckDB file: delete everything older than maxAgeHours,
 * then, while the used size is over maxSizeMb, delete the oldest tenth of what is left (at most
 * 5 rounds a pass, so one pass stays short). A CHECKPOINT after deleting returns the freed blocks
 * (the audit's too) to DuckDB's free list, which new data reuses; the file itself keeps its
 * high-water size.
 */
async function trimDuckDb(store: Store, options: RetentionOptions, nowMillis: number): Promise<Omit<RetentionRun, 'deletedAudit'>> {
  const deleted: Deleted = new Map();
  const cutoff = BigInt(Math.floor(nowMillis - options.maxAgeHours * 3_600_000)) * 1_000_000n;
  await deleteBefore(store, cutoff, deleted);
  const limitBytes = options.maxSizeMb * 1024 * 1024;
  await checkpoint(store);
  for (let round = 0; round < 5 && (await usedBytes(store)) > limitBytes; round++) {
    const [row] = await store.query(
      `SELECT CAST(quantile_disc(t, 0.1) AS VARCHAR) AS cut FROM (SELECT start_ns AS t FROM spans UNION ALL SELECT time_ns FROM logs)`,
    );
    if (row?.cut === null || row?.cut === undefined) break;
    await deleteBefore(store, BigInt(String(row.cut)) + 1n, deleted);
    await checkpoint(store);
  }
  return { deletedSpans: deleted.get('spans') ?? 0, deletedLogs: deleted.get('logs') ?? 0, usedBytes: await usedBytes(store) };
}

/**
 * One retention pass: the audit by age (auditMaxAgeDays) on either engine, then on DuckDB the
 * spans and logs by age and size. On ClickHouse the exporter's tables keep their own retention,
 * a table TTL (docs/past-one-machine.md): Stitch deletes nothing there, and reports no size.
 *
 * @example const run = await runRetention(store, config.retention) // { deletedSpans, deletedLogs, deletedAudit, usedBytes }
 */
export async function runRetention(store: Store, options: RetentionOptions, nowMillis = Date.now()): Promise<RetentionRun> {
  const deletedAudit = await deleteOldAudit(store, options, nowMillis);
  // The one place the engines differ in what Stitch retains (retentionSettings says the same to `stitch status`).
  if (store.dialect === 'clickhouse') return { deletedSpans: 0, deletedLogs: 0, deletedAudit, usedBytes: null };
  return { ...(await trimDuckDb(store, options, nowMillis)), deletedAudit };
}

/** What `stitch status` says of retention's limits: the ones Stitch applies, or the tables' TTL. */
export interface RetentionSettings {
  /** Stitch's limits on spans and logs; null on ClickHouse, where it applies none. */
  maxAgeHours: number | null;
  maxSizeMb: number | null;
  /** ClickHouse: each exporter table's TTL, null for a table without one (kept forever); null on DuckDB. */
  tableTtl: { traces: string | null; logs: string | null } | null;
  auditMaxAgeDays: number;
}

/** The TTL clause of a table's engine, as ClickHouse prints it (`toDateTime(Timestamp) + toIntervalDay(7)`). */
function ttlOf(engineFull: unknown): string | null {
  const match = /\bTTL (.+?)(?: SETTINGS |$)/.exec(String(engineFull ?? ''));
  return match ? match[1]! : null;
}

/**
 * The retention in force on `store`, for `stitch status`: on ClickHouse the exporter tables' TTL,
 * read from system.tables (one small read: the TTL may have been set by the exporter's `ttl` or
 * an `ALTER TABLE … MODIFY TTL` since start).
 */
export async function retentionSettings(store: Store, options: RetentionOptions): Promise<RetentionSettings> {
  if (store.dialect === 'duckdb') return { maxAgeHours: options.maxAgeHours, maxSizeMb: options.maxSizeMb, tableTtl: null, auditMaxAgeDays: options.auditMaxAgeDays };
  const rows = await store.query(
    `SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN ('${OTEL_TRACES_TABLE}', '${OTEL_LOGS_TABLE}')`,
  );
  const ttl = (table: string): string | null => ttlOf(rows.find((r) => r.name === table)?.engine_full);
  return { maxAgeHours: null, maxSizeMb: null, tableTtl: { traces: ttl(OTEL_TRACES_TABLE), logs: ttl(OTEL_LOGS_TABLE) }, auditMaxAgeDays: options.auditMaxAgeDays };
}

/** Runs retention every checkIntervalSeconds in the background; returns a stop function. */
export function startRetention(store: Store, options: RetentionOptions, stats: IngestStats): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = (): void => {
    if (running) return;
    running = runRetention(store, options)
      .then((run) => {
        stats.retentionDeletedSpans += run.deletedSpans;
        stats.retentionDeletedLogs += run.deletedLogs;
        stats.retentionDeletedAudit += run.deletedAudit;
        stats.lastRetentionRunMillis = Date.now();
      })
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.checkIntervalSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
