import { emptyLimitCounts, type LimitCounts } from './record-limits.js';
/**
 * The rows the collector stores, one interface per table. The OTLP decoders produce them and
 * the store appends them; nothing else in between, so a column added here is added everywhere
 * the compiler can see.
 *
 * Times are Unix nanoseconds as bigint (OTLP's fixed64), because a double loses precision past
 * 2^53 ns (≈104 days after the epoch).
 */
export interface SpanRow {
  tenantId: string | null;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  service: string | null;
  instance: string | null;
  name: string;
  /** OTLP SpanKind as an int (0 unspecified … 5 consumer). */
  kind: number;
  route: string | null;
  component: string | null;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string | null;
  startNanos: bigint;
  endNanos: bigint;
  durationMillis: number;
  perfViolation: boolean;
  budgetMillis: number | null;
  queryName: string | null;
  queryText: string | null;
  httpStatus: number | null;
  requestId: string | null;
  webhookEndpoint: string | null;
  webhookAttempt: number | null;
  jobName: string | null;
  /** The event consumer of a `process_event` span (`messaging.consumer.group.name`). */
  consumer: string | null;
  jobId: string | null;
  runId: string | null;
  parentTraceId: string | null;
  parentRequestId: string | null;
  scopeName: string | null;
  /**
   * What started the work this span belongs to: the route (or job, consumer, endpoint, batch
   * name) the kernel carried to it as `stitch.entry.route`, else the route of its nearest
   * server-span ancestor in the same export request. Lets errors/violations name the route of a
   * failing query, job attempt or webhook retry without a join. A span of another service or of
   * an older kernel, exported apart from its trace's root, has none: the questions fall back to
   * the trace's stored root for it.
   */
  entryRoute: string | null;
  /** The entry's kind (`http`, `job`, `consumer`, `webhook`, `batch`; contract ENTRY_KINDS), found the same way. */
  entryKind: string | null;
  /** `stitch.housekeeping`: the kernel's own bookkeeping, left out of search and the questions unless asked. */
  housekeeping: boolean;
  /** Remaining span attributes as JSON text. */
  attributes: string;
  resource: string;
}

export interface SpanEventRow {
  tenantId: string | null;
  traceId: string;
  spanId: string;
  timeNanos: bigint;
  name: string;
  attributes: string;
}

export interface SpanLinkRow {
  tenantId: string | null;
  /** The linking span's start, so retention can trim links by age like everything else. */
  timeNanos: bigint;
  traceId: string;
  spanId: string;
  linkedTraceId: string;
  linkedSpanId: string;
  attributes: string;
}

export interface LogRow {
  tenantId: string | null;
  timeNanos: bigint;
  observedNanos: bigint;
  severityNumber: number;
  severityText: string | null;
  body: string;
  traceId: string | null;
  spanId: string | null;
  service: string | null;
  instance: string | null;
  component: string | null;
  perfViolation: boolean;
  attributes: string;
  resource: string;
}

/** What one OTLP request turned into: rows to store and what was refused, with why. */
export interface DecodedBatch {
  spans: SpanRow[];
  events: SpanEventRow[];
  links: SpanLinkRow[];
  logs: LogRow[];
  rejected: number;
  /** One human sentence per distinct reason, for OTLP's partial_success.error_message. */
  rejectReasons: string[];
  /** What the record limits cut (record-limits.ts): stored anyway, counted. */
  limited: LimitCounts;
}

export function emptyBatch(): DecodedBatch {
  return { spans: [], events: [], links: [], logs: [], rejected: 0, rejectReasons: [], limited: emptyLimitCounts() };
}
