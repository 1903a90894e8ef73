import { statSync } from 'node:fs';
import type { PlatformStatus, TenantStatus } from '@stitch/contract';
import type { CollectorConfig } from '../config/collector-config.js';
import { recentIngestRate, type IngestStats } from '../store/ingest-stats.js';
import { retentionSettings } from '../store/retention.js';
import type { Store } from '../store/store.js';
import { tableFor } from './engine-sql.js';
import { isoFromNanos, num } from './query-scope.js';

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** `min` of no rows: NULL in DuckDB, the type's default (0, 1970) in ClickHouse unless asked for NULL. */
function minOrNull(store: Store): string {
  return store.dialect === 'duckdb' ? 'min' : 'minOrNull';
}

function oldest(value: unknown): string | null {
  return value === null || value === undefined ? null : isoFromNanos(value as string);
}

/**
 * `stitch status` for a tenant-bound token: what is stored for that tenant, and how long it is
 * kept. Nothing of the platform (ingest totals, store path and size, forwarder) leaves with it.
 */
export async function askTenantStatus(store: Store, stats: IngestStats, config: CollectorConfig, tenantId: string): Promise<TenantStatus> {
  const [spans, logs, min] = [tableFor(store, 'spans'), tableFor(store, 'logs'), minOrNull(store)];
  const [row] = await store.query(
    `SELECT (SELECT count(*) FROM ${spans} WHERE tenant_id = $tenant) AS spans, (SELECT count(*) FROM ${logs} WHERE tenant_id = $tenant) AS logs,
            (SELECT ${min}(start_ns) FROM ${spans} WHERE tenant_id = $tenant) AS oldest`,
    { tenant: tenantId },
  );
  const settings = await retentionSettings(store, config.retention);
  return {
    view: 'tenant',
    tenantId,
    startedAt: new Date(stats.startedAtMillis).toISOString(),
    uptimeSeconds: (Date.now() - stats.startedAtMillis) / 1000,
    store: { spans: num(row?.spans), logs: num(row?.logs), oldestSpanTime: oldest(row?.oldest) },
    retention: { maxAgeHours: settings.maxAgeHours, tableTtl: settings.tableTtl },
  };
}

/** `stitch status` for a platform-wide token: ingest counters, store size, retention and forwarding. */
export async function askStatus(store: Store, stats: IngestStats, queueDepth: number, config: CollectorConfig): Promise<PlatformStatus> {
  const [spans, logs, min] = [tableFor(store, 'spans'), tableFor(store, 'logs'), minOrNull(store)];
  const [row] = await store.query(
    `SELECT (SELECT count(*) FROM ${spans}) AS spans, (SELECT count(*) FROM ${logs}) AS logs, (SELECT ${min}(start_ns) FROM ${spans}) AS oldest`,
  );
  const uptimeSeconds = (Date.now() - stats.startedAtMillis) / 1000;
  const perSecond = (n: number): number => (uptimeSeconds > 0 ? Math.round((n / uptimeSeconds) * 100) / 100 : 0);
  const recent = recentIngestRate(stats);
  return {
    view: 'platform',
    startedAt: new Date(stats.startedAtMillis).toISOString(),
    uptimeSeconds,
    ingest: {
      acceptedSpans: stats.acceptedSpans,
      acceptedLogs: stats.acceptedLogs,
      spansPerSecond: perSecond(stats.acceptedSpans),
      logsPerSecond: perSecond(stats.acceptedLogs),
      recentSpansPerSecond: recent.spans,
      recentLogsPerSecond: recent.logs,
      rejectedRecords: stats.rejectedRecords,
      throttledRequests: stats.throttledRequests,
      throttledRecords: stats.throttledRecords,
      undecodableRequests: stats.undecodableRequests,
      writeFailures: stats.writeFailures,
      queueDepth,
      queueCapacity: config.maxQueueRecords,
    },
    store: {
      path: store.path,
      fileBytes: fileSize(store.path),
      walBytes: fileSize(`${store.path}.wal`),
      spans: num(row?.spans),
      logs: num(row?.logs),
      oldestSpanTime: oldest(row?.oldest),
    },
    // On ClickHouse no span/log limit of Stitch's: the tables' TTL instead (retention.ts).
    retention: {
      ...(await retentionSettings(store, config.retention)),
      lastRunAt: stats.lastRetentionRunMillis === null ? null : new Date(stats.lastRetentionRunMillis).toISOString(),
      deletedSpans: stats.retentionDeletedSpans,
      deletedLogs: stats.retentionDeletedLogs,
      deletedAudit: stats.retentionDeletedAudit,
    },
    forward: {
      url: config.forward.url ?? null,
      forwarded: stats.forwardedPayloads,
      dropped: stats.forwardDropped,
      failed: stats.forwardFailed,
    },
  };
}
