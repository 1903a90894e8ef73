import { ENTRY_KINDS, SpanAttr, PERF_VIOLATION_EVENT } from '@stitch/contract';
import { LIFTED_OUT, QUERY_NAME_SOURCES } from '../store/lifted-columns.js';
import { attrBoolean, attrNumber, attrString, isRecord, keyValuesToObject, type JsonValue } from './any-value.js';
import { parseId, parseNanos, parseSmallInt } from './ids-and-times.js';
import { emptyLimitCounts, LIMIT_ATTRIBUTES, limiter as newLimiter, type LimitCounts, type RecordLimits } from './record-limits.js';
import { emptyBatch, type DecodedBatch, type SpanRow } from './records.js';
import { runToEnd, SLICE_RECORDS, type Steps } from '../ingest/work-in-slices.js';
import { recordsOf } from './decode-protobuf.js';


/**
 * The attributes not lifted into columns (store/lifted-columns.ts), as JSON. Lifted ones stay
 * out of the blob so the questions filter and group on real columns (DuckDB zone maps, no JSON
 * parsing per row). With what the limits cut from the span.
 */
function rest(attrs: Record<string, JsonValue>, cutBefore: number, counts: LimitCounts, before: LimitCounts): string {
  let out: Record<string, JsonValue> | null = null;
  for (const k in attrs) {
    if (LIFTED_OUT.has(k)) continue;
    // No prototype, so a `__proto__` attribute is kept as a key (on `{}` it would set the prototype).
    out ??= Object.create(null) as Record<string, JsonValue>;
    out[k] = attrs[k]!;
  }
  if (totalCut(counts) > cutBefore) {
    // What the limits cut from this span, as attributes on it (the SDK's dropped counts, and truncations).
    out ??= Object.create(null) as Record<string, JsonValue>;
    for (const key of LIMITED_KINDS) {
      const n = counts[key] - before[key];
      if (n > 0) out[LIMIT_ATTRIBUTES[key]] = n;
    }
  }
  // The common span (every attribute lifted, nothing cut) shares one string: no row of a large
  // request holds a "{}" of its own until it is stored (issue 15, GC of held rows).
  return out === null ? EMPTY_OBJECT_JSON : JSON.stringify(out);
}

const EMPTY_OBJECT_JSON = '{}';
const ZERO_COUNTS: LimitCounts = Object.freeze(emptyLimitCounts());
const LIMITED_KINDS = ['truncatedValues', 'droppedAttributes', 'droppedEvents', 'droppedLinks'] as const satisfies readonly (keyof LimitCounts)[];

function totalCut(counts: LimitCounts): number {
  return counts.truncatedValues + counts.droppedAttributes + counts.droppedEvents + counts.droppedLinks;
}

function firstString(attrs: Record<string, JsonValue>, names: readonly string[]): string | null {
  for (const name of names) {
    const value = attrString(attrs, name);
    if (value !== null && value !== '') return value;
  }
  return null;
}

const KNOWN_ENTRY_KINDS: ReadonlySet<string> = new Set(ENTRY_KINDS);
// The kernel bounds a carried entry route to 120 characters; other senders are held to this.
const MAX_ENTRY_ROUTE_LENGTH = 200;

/** The entry a span carries itself (`stitch.entry.*`, set by the kernel on every hop), bounded. */
function carriedEntry(attrs: Record<string, JsonValue>): { route: string | null; kind: string | null } {
  const kind = attrString(attrs, SpanAttr.entryKind);
  const route = attrString(attrs, SpanAttr.entryRoute);
  return {
    kind: kind !== null && KNOWN_ENTRY_KINDS.has(kind) ? kind : null,
    route: route === null || route === '' ? null : route.slice(0, MAX_ENTRY_ROUTE_LENGTH),
  };
}

/**
 * Fills what a span inherits from its ancestors in the same export request, walking parent
 * links:
 * - `entryRoute`/`entryKind`, when the span carries no entry route of its own: the nearest
 *   ancestor's carried entry, or the route of the nearest server span with a route (`http`);
 * - `tenantId`, when the span has none: the nearest ancestor's. A span never mixes tenants
 *   (DESIGN.md, "Context"), and spans from plain OpenTelemetry instrumentation (pg, undici) or
 *   the kernel's child spans may carry no `tenant.id` of their own; without this they would be
 *   invisible to their tenant's tokens.
 * Spans whose ancestors came in another request keep what they had.
 */
function* fillFromAncestors(batch: DecodedBatch): Steps<void> {
  const spans = batch.spans;
  // Without a parent in the request, a span inherits nothing, and no key string per span is
  // made: only a server span is its own entry (the walk's first step).
  if (!spans.some((s) => s.parentSpanId !== null)) {
    let walked = 0;
    for (const s of spans) {
      if (++walked % SLICE_RECORDS === 0) yield;
      if (s.entryRoute === null && s.kind === 2 && s.route !== null) {
        s.entryRoute = s.route;
        s.entryKind ??= 'http';
      }
    }
    return;
  }
  const byKey = new Map<string, SpanRow>();
  let walked = 0;
  for (const s of spans) {
    byKey.set(`${s.traceId}/${s.spanId}`, s);
    if (++walked % SLICE_RECORDS === 0) yield;
  }
  const inherited = new Map<string, string>();
  for (const s of spans) {
    if (++walked % SLICE_RECORDS === 0) yield;
    let cursor: SpanRow | undefined = s;
    let needRoute = s.entryRoute === null;
    let needTenant = s.tenantId === null;
    // Bounded walk: a hostile parent cycle cannot loop forever.
    for (let hops = 0; cursor && (needRoute || needTenant) && hops < 64; hops++) {
      if (needRoute && cursor !== s && cursor.entryRoute !== null) {
        // An ancestor that knows its entry (carried, or found by this walk from its own ancestors).
        s.entryRoute = cursor.entryRoute;
        s.entryKind ??= cursor.entryKind;
        needRoute = false;
      } else if (needRoute && cursor.kind === 2 && cursor.route !== null) {
        s.entryRoute = cursor.route;
        s.entryKind ??= 'http';
        needRoute = false;
      }
      if (needTenant && cursor.tenantId !== null) {
        s.tenantId = cursor.tenantId;
        inherited.set(`${s.traceId}/${s.spanId}`, cursor.tenantId);
        needTenant = false;
      }
      cursor = cursor.parentSpanId ? byKey.get(`${cursor.traceId}/${cursor.parentSpanId}`) : undefined;
    }
  }
  if (inherited.size === 0) return;
  for (const row of [...batch.events, ...batch.links]) {
    if (row.tenantId === null) row.tenantId = inherited.get(`${row.traceId}/${row.spanId}`) ?? null;
  }
}

/**
 * parseId for trace ids, with the last one remembered: a request's spans come trace by trace,
 * so consecutive spans share one id string instead of each holding its own copy until stored.
 */
class TraceIds {
  // The last id as sent: Buffer (protobuf) or hex string (OTLP/JSON).
  private lastSent: Buffer | string | null = null;
  private lastId: string | null | '' = null;

  id(value: unknown): string | null | '' {
    const last = this.lastSent;
    if (last !== null) {
      if (typeof value === 'string' ? value === last : Buffer.isBuffer(value) && Buffer.isBuffer(last) && last.equals(value)) return this.lastId;
    }
    const id = parseId(value, 16);
    this.lastSent = Buffer.isBuffer(value) || typeof value === 'string' ? value : null;
    this.lastId = id;
    return id;
  }
}

class Rejects {
  count = 0;
  private readonly reasons = new Set<string>();
  add(reason: string, n = 1): void {
    this.count += n;
    this.reasons.add(reason);
  }
  list(): string[] {
    return [...this.reasons];
  }
}

/**
 * Turns an ExportTraceServiceRequest (protobufjs object or OTLP/JSON) into rows. A span with a
 * bad trace or span id is rejected and counted (OTLP partial success); everything else degrades
 * (missing times become 0, unknown fields are ignored, per the OTLP/JSON rules).
 */
export function normalizeTraces(request: unknown, limits?: RecordLimits): DecodedBatch {
  return runToEnd(normalizeTracesSteps(request, limits));
}

/** normalizeTraces, pausing every SLICE_RECORDS spans (see ingest/work-in-slices.ts). */
export function* normalizeTracesSteps(request: unknown, limits?: RecordLimits): Steps<DecodedBatch> {
  const batch = emptyBatch();
  let seen = 0;
  const limiter = newLimiter(limits);
  const rejects = new Rejects();
  const sameTrace = new TraceIds();
  const resourceSpans = isRecord(request) && Array.isArray(request.resourceSpans) ? request.resourceSpans : [];
  for (const rs of resourceSpans) {
    if (!isRecord(rs)) continue;
    const resourceAttrs = keyValuesToObject(isRecord(rs.resource) ? rs.resource.attributes : undefined, 0, limiter);
    const resource = JSON.stringify(resourceAttrs);
    const service = attrString(resourceAttrs, 'service.name');
    const instance = attrString(resourceAttrs, 'service.instance.id');
    const resourceTenant = attrString(resourceAttrs, SpanAttr.tenantId);
    const scopeSpans = Array.isArray(rs.scopeSpans) ? rs.scopeSpans : [];
    for (const ss of scopeSpans) {
      if (!isRecord(ss)) continue;
      const scopeName = isRecord(ss.scope) && typeof ss.scope.name === 'string' ? ss.scope.name : null;
      const spans = recordsOf(ss.spans);
      for (const span of spans) {
        if (++seen % SLICE_RECORDS === 0) yield;
        if (!isRecord(span)) {
          rejects.add('span is not an object');
          continue;
        }
        const traceId = sameTrace.id(span.traceId);
        const spanId = parseId(span.spanId, 8);
        if (!traceId || !spanId) {
          rejects.add('span has an invalid or missing traceId/spanId');
          continue;
        }
        const parentSpanId = parseId(span.parentSpanId, 8);
        const startNanos = parseNanos(span.startTimeUnixNano);
        const endNanos = parseNanos(span.endTimeUnixNano);
        if (startNanos === null || endNanos === null) {
          rejects.add('span has a malformed start/end time');
          continue;
        }
        // The counts before this span, copied only when this span turns out to have been cut.
        const cutBefore = totalCut(limiter.counts);
        const countsBefore = cutBefore === 0 ? ZERO_COUNTS : { ...limiter.counts };
        const attrs = keyValuesToObject(span.attributes, 0, limiter);
        const tenantId = attrString(attrs, SpanAttr.tenantId) ?? resourceTenant;
        const entry = carriedEntry(attrs);
        const status = isRecord(span.status) ? span.status : {};
        const allEvents = Array.isArray(span.events) ? span.events : [];
        const events = allEvents.slice(0, limiter.limits.eventsPerSpan);
        limiter.counts.droppedEvents += allEvents.length - events.length;
        let perfViolation = attrBoolean(attrs, SpanAttr.perfViolation);
        for (const ev of events) {
          if (!isRecord(ev)) continue;
          const name = typeof ev.name === 'string' ? ev.name : '';
          if (name === PERF_VIOLATION_EVENT) perfViolation = true;
          batch.events.push({
            tenantId,
            traceId,
            spanId,
            timeNanos: parseNanos(ev.timeUnixNano) ?? 0n,
            name,
            attributes: JSON.stringify(keyValuesToObject(ev.attributes, 0, limiter)),
          });
        }
        const allLinks = Array.isArray(span.links) ? span.links : [];
        const links = allLinks.slice(0, limiter.limits.linksPerSpan);
        limiter.counts.droppedLinks += allLinks.length - links.length;
        for (const link of links) {
          if (!isRecord(link)) continue;
          const linkedTraceId = parseId(link.traceId, 16);
          const linkedSpanId = parseId(link.spanId, 8);
          if (!linkedTraceId || !linkedSpanId) continue;
          batch.links.push({
            tenantId,
            timeNanos: startNanos,
            traceId,
            spanId,
            linkedTraceId,
            linkedSpanId,
            attributes: JSON.stringify(keyValuesToObject(link.attributes, 0, limiter)),
          });
        }
        const row: SpanRow = {
          tenantId,
          traceId,
          spanId,
          parentSpanId: parentSpanId || null,
          service,
          instance,
          name: typeof span.name === 'string' ? span.name : '',
          kind: parseSmallInt(span.kind),
          route: attrString(attrs, SpanAttr.routeId),
          component: attrString(attrs, SpanAttr.component),
          statusCode: parseSmallInt(status.code),
          statusMessage: typeof status.message === 'string' && status.message !== '' ? status.message : null,
          startNanos,
          endNanos,
          durationMillis: endNanos > startNanos ? Number(endNanos - startNanos) / 1e6 : 0,
          perfViolation,
          budgetMillis: attrNumber(attrs, SpanAttr.budgetMillis),
          // The caller's name, else the convention's summary, else what older kernels wrote (issue 13).
          queryName: firstString(attrs, QUERY_NAME_SOURCES),
          queryText: attrString(attrs, SpanAttr.dbStatement),
          httpStatus: attrNumber(attrs, 'http.response.status_code'),
          requestId: attrString(attrs, SpanAttr.requestId),
          webhookEndpoint: attrString(attrs, SpanAttr.webhookEndpoint),
          webhookAttempt: attrNumber(attrs, SpanAttr.webhookAttempt),
          jobName: attrString(attrs, SpanAttr.jobName),
          // A copy, not lifted: retries and the trace view read it from the attributes too.
          consumer: attrString(attrs, SpanAttr.consumerGroup),
          jobId: attrString(attrs, SpanAttr.jobId),
          runId: attrString(attrs, SpanAttr.runId),
          parentTraceId: attrString(attrs, SpanAttr.parentTraceId),
          parentRequestId: attrString(attrs, SpanAttr.parentRequestId),
          scopeName,
          entryRoute: entry.route,
          entryKind: entry.kind,
          housekeeping: attrBoolean(attrs, SpanAttr.housekeeping),
          attributes: rest(attrs, cutBefore, limiter.counts, countsBefore),
          resource,
        };
        batch.spans.push(row);
      }
    }
  }
  yield* fillFromAncestors(batch);
  batch.limited = limiter.counts;
  batch.rejected = rejects.count;
  batch.rejectReasons = rejects.list();
  return batch;
}
