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
  forwardedPayloads: number;
  forwardDropped: number;
  forwardFailed: number;
  retentionDeletedSpans: number;
  retentionDeletedLogs: number;
  lastRetentionRunMillis: number | null;
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
    forwardedPayloads: 0,
    forwardDropped: 0,
    forwardFailed: 0,
    retentionDeletedSpans: 0,
    retentionDeletedLogs: 0,
    lastRetentionRunMillis: null,
  };
}
