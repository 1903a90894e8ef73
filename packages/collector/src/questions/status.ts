import { statSync } from 'node:fs';
import type { StatusResponse } from '@stitch/contract';
import type { CollectorConfig } from '../config/collector-config.js';
import { recentIngestRate, type IngestStats } from '../store/ingest-stats.js';
import type { Store } from '../store/store.js';
import { isoFromNanos, num } from './query-scope.js';

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** `stitch status`: ingest counters, store size, retention and forwarding. Platform-wide numbers only. */
export async function askStatus(store: Store, stats: IngestStats, queueDepth: number, config: CollectorConfig): Promise<StatusResponse> {
  const [row] = await store.query(
    `SELECT (SELECT count(*) FROM spans) AS spans, (SELECT count(*) FROM logs) AS logs, (SELECT min(start_ns) FROM spans) AS oldest`,
  );
  const uptimeSeconds = (Date.now() - stats.startedAtMillis) / 1000;
  const perSecond = (n: number): number => (uptimeSeconds > 0 ? Math.round((n / uptimeSeconds) * 100) / 100 : 0);
  const recent = recentIngestRate(stats);
  return {
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
      oldestSpanTime: row?.oldest === null || row?.oldest === undefined ? null : isoFromNanos(row.oldest as string),
    },
    retention: {
      maxAgeHours: config.retention.maxAgeHours,
      maxSizeMb: config.retention.maxSizeMb,
      lastRunAt: stats.lastRetentionRunMillis === null ? null : new Date(stats.lastRetentionRunMillis).toISOString(),
      deletedSpans: stats.retentionDeletedSpans,
      deletedLogs: stats.retentionDeletedLogs,
    },
    forward: {
      url: config.forward.url ?? null,
      forwarded: stats.forwardedPayloads,
      dropped: stats.forwardDropped,
      failed: stats.forwardFailed,
    },
  };
}
