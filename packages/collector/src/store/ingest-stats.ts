import { emptyLimitCounts, type LimitCounts } from '../otlp/record-limits.js';

/** Counters `stitch status` reports. Monotonic since process start; rates are derived by readers. */
export interface IngestStats {
  startedAtMillis: number;
  acceptedSpans: number;
  acceptedLogs: number;
  /** Records refused as invalid (OTLP partial success). */
  rejectedRecords: number;
  /** Requests answered 429/503 because the write queue was full or the store failed. */
  throttledRequests: number;
  /** Records in those throttled requests (the sender may retry them). */
  throttledRecords: number;
  undecodableRequests: number;
  writeFailures: number;
  /** When the store last committed a batch, and last failed to: readiness compares the two. */
  lastWriteOkMillis: number | null;
  lastWriteFailedMillis: number | null;
  /** Request bodies received on the OTLP routes, by encoding (as sent, before gunzip). */
  receivedBytes: { protobuf: number; json: number };
  /** What the record limits cut from accepted requests (values truncated; attributes, events, links dropped). */
  limited: LimitCounts;
  /** OTLP requests answered with an error, by status and error code (`429 STITCH_ERR_…`). */
  refusedRequests: Map<string, number>;
  forwardedPayloads: number;
  forwardDropped: number;
  forwardFailed: number;
  /** forwardFailed by reason: `http_<status>`, `network`, `timeout`, `shutdown`. */
  forwardFailures: Map<string, number>;
  /** Attempts the forwarder repeated after a retryable failure. */
  forwardRetries: number;
  retentionDeletedSpans: number;
  retentionDeletedLogs: number;
  retentionDeletedAudit: number;
  /** API requests refused (401, 403, 429), by status: each is in the audit, alone or in a summary row. */
  apiRefusedRequests: Map<string, number>;
  /** Audited refusals whose rows the store failed to write. */
  auditWriteFailures: number;
  lastRetentionRunMillis: number | null;
  /** Samples of the accepted counters, oldest first, for the recent rate (see sampleIngestRate). */
  samples: { atMillis: number; spans: number; logs: number }[];
}

const SAMPLE_WINDOW_MILLIS = 60_000;

/** Records the counters now and forgets samples older than the window. Called every few seconds. */
export function sampleIngestRate(stats: IngestStats, nowMillis = Date.now()): void {
  stats.samples.push({ atMillis: nowMillis, spans: stats.acceptedSpans, logs: stats.acceptedLogs });
  while (stats.samples.length > 2 && stats.samples[0]!.atMillis < nowMillis - SAMPLE_WINDOW_MILLIS) stats.samples.shift();
}

/** Spans and logs per second between the oldest kept sample and now. */
export function recentIngestRate(stats: IngestStats, nowMillis = Date.now()): { spans: number; logs: number } {
  const from = stats.samples[0] ?? { atMillis: stats.startedAtMillis, spans: 0, logs: 0 };
  const seconds = (nowMillis - from.atMillis) / 1000;
  if (seconds <= 0) return { spans: 0, logs: 0 };
  const round = (n: number): number => Math.round(n * 100) / 100;
  return { spans: round((stats.acceptedSpans - from.spans) / seconds), logs: round((stats.acceptedLogs - from.logs) / seconds) };
}

export function createIngestStats(): IngestStats {
  return {
    startedAtMillis: Date.now(),
    acceptedSpans: 0,
    acceptedLogs: 0,
    rejectedRecords: 0,
    throttledRequests: 0,
    throttledRecords: 0,
    undecodableRequests: 0,
    writeFailures: 0,
    lastWriteOkMillis: null,
    lastWriteFailedMillis: null,
    receivedBytes: { protobuf: 0, json: 0 },
    limited: emptyLimitCounts(),
    refusedRequests: new Map(),
    forwardedPayloads: 0,
    forwardDropped: 0,
    forwardFailed: 0,
    forwardFailures: new Map(),
    forwardRetries: 0,
    retentionDeletedSpans: 0,
    retentionDeletedLogs: 0,
    retentionDeletedAudit: 0,
    apiRefusedRequests: new Map(),
    auditWriteFailures: 0,
    lastRetentionRunMillis: null,
    samples: [],
  };
}
