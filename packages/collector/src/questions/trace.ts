import { type LogLine, type TraceResponse, type TraceSpan } from '@stitch/contract';
import { StitchError } from '@stitch/contract';
import { liftedBackAttributes } from '../store/lifted-columns.js';
import type { Row, Store } from '../store/store.js';
import { SPAN_ROW_SQL, sqlFor, tableFor } from './engine-sql.js';
import { isoFromNanos, num, parseJsonObject, strOrNull, tenantClause } from './query-scope.js';

export function toLogLine(r: Row): LogLine {
  return {
    time: isoFromNanos(r.time_ns as string),
    timeUnixNano: String(r.time_ns ?? '0'),
    tenantId: strOrNull(r.tenant_id),
    service: strOrNull(r.service),
    instance: strOrNull(r.instance),
    component: strOrNull(r.component),
    severityNumber: num(r.severity_number),
    severityText: strOrNull(r.severity_text),
    body: String(r.body ?? ''),
    traceId: strOrNull(r.trace_id),
    spanId: strOrNull(r.span_id),
    attributes: parseJsonObject(r.attributes),
  };
}

/** Orders spans depth-first, children by start time; spans whose parent is missing become roots. */
function treeOrder(spans: TraceSpan[]): TraceSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, TraceSpan[]>();
  for (const s of spans) {
    const parent = s.parentSpanId !== null && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  const out: TraceSpan[] = [];
  const seen = new Set<string>();
  // Iterative, so a hostile trace with a 100k-deep parent chain cannot blow the stack.
  const stack: { span: TraceSpan; depth: number }[] = (children.get(null) ?? []).reverse().map((span) => ({ span, depth: 0 }));
  while (stack.length > 0) {
    const { span, depth } = stack.pop()!;
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    out.push({ ...span, depth });
    for (const c of [...(children.get(span.spanId) ?? [])].reverse()) stack.push({ span: c, depth: depth + 1 });
  }
  // Cycles (a→b→a) never reach a root; show them flat rather than lose them.
  for (const s of spans) if (!seen.has(s.spanId)) out.push({ ...s, depth: 0 });
  return out;
}

/**
 * `stitch trace <id>`: every span of the trace the caller may see, as a tree, and the trace's
 * log lines. A trace of another tenant answers exactly like a trace that does not exist.
 */
export async function askTrace(store: Store, traceId: string, tenantId: string | null): Promise<TraceResponse> {
  const id = traceId.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new StitchError('STITCH_ERR_COLLECTOR_BAD_QUERY', { detail: 'a trace id is 32 hex digits' });
  const t = tenantClause(tenantId);
  const params = { trace: id, ...t.params };
  // The same statements on both engines, each on its own tables (ClickHouse: views, engine-sql.ts).
  const [spanRows, eventRows, linkRows, logRows] = await Promise.all([
    store.query(`SELECT ${sqlFor(store, SPAN_ROW_SQL)} FROM ${tableFor(store, 'spans')} WHERE trace_id = $trace${t.sql} ORDER BY start_ns LIMIT 10000`, params),
    store.query(`SELECT span_id, time_ns, name, attributes FROM ${tableFor(store, 'spanEvents')} WHERE trace_id = $trace${t.sql} ORDER BY time_ns`, params),
    store.query(`SELECT span_id, linked_trace_id, linked_span_id, attributes FROM ${tableFor(store, 'spanLinks')} WHERE trace_id = $trace${t.sql}`, params),
    store.query(`SELECT * FROM ${tableFor(store, 'logs')} WHERE trace_id = $trace${t.sql} ORDER BY time_ns LIMIT 5000`, params),
  ]);
  if (spanRows.length === 0 && logRows.length === 0) {
    throw new StitchError('STITCH_ERR_COLLECTOR_NOT_FOUND', { what: `trace ${id}` });
  }
  const spans: TraceSpan[] = spanRows.map((r) => ({
    traceId: id,
    spanId: String(r.span_id),
    parentSpanId: strOrNull(r.parent_span_id),
    depth: 0,
    tenantId: strOrNull(r.tenant_id),
    service: strOrNull(r.service),
    name: String(r.name ?? ''),
    kind: num(r.kind),
    route: strOrNull(r.route),
    component: strOrNull(r.component),
    statusCode: num(r.status_code),
    statusMessage: strOrNull(r.status_message),
    startTime: isoFromNanos(r.start_ns as string),
    startUnixNano: String(r.start_ns ?? '0'),
    durationMs: num(r.duration_ms),
    perfViolation: r.perf_violation === true,
    attributes: liftedBack(r),
    resource: parseJsonObject(r.resource),
    events: eventRows
      .filter((e) => e.span_id === r.span_id)
      .map((e) => ({ timeUnixNano: String(e.time_ns ?? '0'), name: String(e.name ?? ''), attributes: parseJsonObject(e.attributes) })),
    links: linkRows
      .filter((l) => l.span_id === r.span_id)
      .map((l) => ({ traceId: String(l.linked_trace_id), spanId: String(l.linked_span_id), attributes: parseJsonObject(l.attributes) })),
  }));
  return { traceId: id, spans: treeOrder(spans), logs: logRows.map(toLogLine) };
}

/** The span detail view shows all attributes, lifted columns included (under their current names). */
function liftedBack(r: Row): Record<string, unknown> {
  return liftedBackAttributes(r, parseJsonObject(r.attributes));
}
