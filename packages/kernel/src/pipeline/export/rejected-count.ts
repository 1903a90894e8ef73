import type { ExportResult } from '@opentelemetry/core';

// Apart from checked-otlp-exporter.ts so that the batch processor and the log stream can read a
// result without loading the OTLP serialisers (protobuf code) for a service that exports elsewhere.

/**
 * An export result that may say how many items of a successful export the backend rejected
 * (OTLP `partial_success.rejected_spans` / `rejected_log_records`).
 */
export interface CheckedExportResult extends ExportResult {
  readonly rejected?: number;
}

/** How many of `batchSize` items `result` says the backend rejected: 0 unless it is a partial success. */
export function rejectedCount(result: ExportResult, batchSize: number): number {
  const rejected = (result as CheckedExportResult).rejected ?? 0;
  return Math.min(Math.max(0, rejected), batchSize);
}
