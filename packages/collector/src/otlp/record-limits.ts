/**
 * What one span or log record may hold, with OpenTelemetry's limit semantics (the SDK's
 * `SpanLimits`/`LogRecordLimits`): string values longer than the limit are truncated, attributes,
 * events and links past their count are dropped, and what was cut is counted, on the record
 * (`stitch.limits.*` attributes) and in the ingest counters. A sender that ignores its own SDK's
 * limits (or a hostile one) cannot store a 10 MB span and have it served back.
 */
export interface RecordLimits {
  /** Characters kept of a string attribute value (strings inside arrays and maps too). */
  attributeValueLength: number;
  /** Attributes kept per span, event, link or log record (and entries per nested map or array). */
  attributesPerRecord: number;
  eventsPerSpan: number;
  linksPerSpan: number;
}

/**
 * The defaults: OpenTelemetry's count limits (128), and a value length that keeps a stack trace
 * whole (OpenTelemetry's default is unlimited, which is what let a 10 MB span in).
 */
export const DEFAULT_RECORD_LIMITS: RecordLimits = Object.freeze({
  attributeValueLength: 8192,
  attributesPerRecord: 128,
  eventsPerSpan: 128,
  linksPerSpan: 128,
});

/** Where a span records what the limits cut from it (only the non-zero ones are written). */
export const LIMIT_ATTRIBUTES = Object.freeze({
  truncatedValues: 'stitch.limits.truncated_values',
  droppedAttributes: 'stitch.limits.dropped_attributes',
  droppedEvents: 'stitch.limits.dropped_events',
  droppedLinks: 'stitch.limits.dropped_links',
});

/** What the limits cut from one request, for the ingest counters. */
export interface LimitCounts {
  truncatedValues: number;
  droppedAttributes: number;
  droppedEvents: number;
  droppedLinks: number;
}

export function emptyLimitCounts(): LimitCounts {
  return { truncatedValues: 0, droppedAttributes: 0, droppedEvents: 0, droppedLinks: 0 };
}

/** The limits in force while converting one request, and what they cut. */
export interface Limiter {
  readonly limits: RecordLimits;
  readonly counts: LimitCounts;
}

export function limiter(limits: RecordLimits = DEFAULT_RECORD_LIMITS): Limiter {
  return { limits, counts: emptyLimitCounts() };
}
