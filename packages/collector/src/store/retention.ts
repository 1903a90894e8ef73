import type { IngestStats } from './ingest-stats.js';
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
  usedBytes: number;
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
 * One retention pass: delete everything older than maxAgeHours and audit rows older than
 * auditMaxAgeDays, then, while the used size is
 * over maxSizeMb, delete the oldest tenth of what is left (at most 5 rounds a pass, so one pass
 * stays short). A CHECKPOINT after deleting returns the freed blocks to DuckDB's free list,
 * which new data reuses; the file itself keeps its high-water size.
 */
export async function runRetention(store: Store, options: RetentionOptions, nowMillis = Date.now()): Promise<RetentionRun> {
  const deleted: Deleted = new Map();
  const cutoff = BigInt(Math.floor(nowMillis - options.maxAgeHours * 3_600_000)) * 1_000_000n;
  await deleteBefore(store, cutoff, deleted);
  const auditCutoff = BigInt(Math.floor(nowMillis - options.auditMaxAgeDays * 86_400_000)) * 1_000_000n;
  const deletedAudit = await store.exec(`DELETE FROM audit WHERE time_ns < $1`, [auditCutoff]);
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
  return {
    deletedSpans: deleted.get('spans') ?? 0,
    deletedLogs: deleted.get('logs') ?? 0,
    deletedAudit,
    usedBytes: await usedBytes(store),
  };
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
