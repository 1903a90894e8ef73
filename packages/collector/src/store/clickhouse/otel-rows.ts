import { SpanAttr } from '@stitch/contract';
import type { DecodedBatch, LogRow, SpanEventRow, SpanLinkRow, SpanRow } from '../../otlp/records.js';
import { parseJsonObject } from '../../questions/query-scope.js';
import { liftedBackAttributes } from '../lifted-columns.js';

/**
 * Stitch's normalized rows as the `clickhouseexporter` writes them (JSONEachRow objects for
 * `otel_traces` and `otel_logs`): attribute maps of strings, events and links nested in their
 * span, kinds and codes spelled as pdata spells them. What ingest lifted into columns goes back
 * into `SpanAttributes` under its name, and the entry route it found in the batch is written as
 * `stitch.entry.route`, so the views (stitch-views.ts) read the same values back.
 */
type StringMap = Record<string, string>;

const SPAN_KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS_CODES = ['Unset', 'Ok', 'Error'];

/** How the exporter turns an attribute into a map value: strings as they are, the rest as JSON text. */
function mapValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function stringMap(attributes: Record<string, unknown>): StringMap {
  const out: StringMap = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== null && v !== undefined) out[k] = mapValue(v);
  return out;
}

/** DateTime64(9) text: seconds, a point, nine digits of nanoseconds (exact, where a double is not). */
export function dateTime64(nanos: bigint): string {
  const n = nanos < 0n ? 0n : nanos;
  return `${n / 1_000_000_000n}.${(n % 1_000_000_000n).toString().padStart(9, '0')}`;
}

function spanAttributes(r: SpanRow): StringMap {
  const columns = {
    tenant_id: r.tenantId, route: r.route, component: r.component, perf_violation: r.perfViolation, budget_ms: r.budgetMillis,
    query_name: r.queryName, query_text: r.queryText, http_status: r.httpStatus, request_id: r.requestId,
    webhook_endpoint: r.webhookEndpoint, webhook_attempt: r.webhookAttempt, job_name: r.jobName, job_id: r.jobId, run_id: r.runId,
    parent_trace_id: r.parentTraceId, parent_request_id: r.parentRequestId,
  };
  const attributes = liftedBackAttributes(columns, parseJsonObject(r.attributes));
  if (r.entryRoute !== null) attributes[SpanAttr.entryRoute] ??= r.entryRoute;
  if (r.entryKind !== null) attributes[SpanAttr.entryKind] ??= r.entryKind;
  return stringMap(attributes);
}

const spanKey = (traceId: string, spanId: string): string => `${traceId}/${spanId}`;

function groupBySpan<T extends { traceId: string; spanId: string }>(rows: readonly T[]): Map<string, T[]> {
  const by = new Map<string, T[]>();
  for (const r of rows) {
    const key = spanKey(r.traceId, r.spanId);
    const list = by.get(key);
    if (list) list.push(r);
    else by.set(key, [r]);
  }
  return by;
}

export function otelTraceRows(batches: readonly DecodedBatch[]): Record<string, unknown>[] {
  const events = groupBySpan<SpanEventRow>(batches.flatMap((b) => b.events));
  const links = groupBySpan<SpanLinkRow>(batches.flatMap((b) => b.links));
  return batches.flatMap((b) =>
    b.spans.map((r) => {
      const ev = events.get(spanKey(r.traceId, r.spanId)) ?? [];
      const ln = links.get(spanKey(r.traceId, r.spanId)) ?? [];
      return {
        Timestamp: dateTime64(r.startNanos),
        TraceId: r.traceId,
        SpanId: r.spanId,
        ParentSpanId: r.parentSpanId ?? '',
        TraceState: '',
        SpanName: r.name,
        SpanKind: SPAN_KINDS[r.kind] ?? 'Unspecified',
        ServiceName: r.service ?? '',
        ResourceAttributes: stringMap(parseJsonObject(r.resource)),
        ScopeName: r.scopeName ?? '',
        ScopeVersion: '',
        SpanAttributes: spanAttributes(r),
        Duration: (r.endNanos > r.startNanos ? r.endNanos - r.startNanos : 0n).toString(),
        StatusCode: STATUS_CODES[r.statusCode] ?? 'Unset',
        StatusMessage: r.statusMessage ?? '',
        'Events.Timestamp': ev.map((e) => dateTime64(e.timeNanos)),
        'Events.Name': ev.map((e) => e.name),
        'Events.Attributes': ev.map((e) => stringMap(parseJsonObject(e.attributes))),
        'Links.TraceId': ln.map((l) => l.linkedTraceId),
        'Links.SpanId': ln.map((l) => l.linkedSpanId),
        'Links.TraceState': ln.map(() => ''),
        'Links.Attributes': ln.map((l) => stringMap(parseJsonObject(l.attributes))),
      };
    }),
  );
}

export function otelLogRows(batches: readonly DecodedBatch[]): Record<string, unknown>[] {
  return batches.flatMap((b) =>
    b.logs.map((r: LogRow) => ({
      Timestamp: dateTime64(r.timeNanos),
      TraceId: r.traceId ?? '',
      SpanId: r.spanId ?? '',
      TraceFlags: 0,
      SeverityText: r.severityText ?? '',
      SeverityNumber: Math.max(0, Math.min(255, r.severityNumber)),
      ServiceName: r.service ?? '',
      Body: r.body,
      ResourceSchemaUrl: '',
      ResourceAttributes: stringMap(parseJsonObject(r.resource)),
      ScopeSchemaUrl: '',
      ScopeName: '',
      ScopeVersion: '',
      ScopeAttributes: {},
      LogAttributes: stringMap(parseJsonObject(r.attributes)),
    })),
  );
}
