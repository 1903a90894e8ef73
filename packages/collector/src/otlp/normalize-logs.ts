import { LogField, SpanAttr } from '@stitch/contract';
import { anyValueToJson, attrBoolean, attrString, isRecord, keyValuesToObject } from './any-value.js';
import { parseId, parseNanos, parseSmallInt } from './ids-and-times.js';
import { limiter as newLimiter, type RecordLimits } from './record-limits.js';
import { emptyBatch, type DecodedBatch } from './records.js';
import { runToEnd, SLICE_RECORDS, type Steps } from '../ingest/work-in-slices.js';
import { recordsOf } from './decode-protobuf.js';

/**
 * Turns an ExportLogsServiceRequest (protobufjs object or OTLP/JSON) into rows. The tenant of a
 * record is its `tenant_id` attribute (what the kernel's pino lines carry), else `tenant.id`,
 * else the resource's `tenant.id`.
 */
export function normalizeLogs(request: unknown, limits?: RecordLimits): DecodedBatch {
  return runToEnd(normalizeLogsSteps(request, limits));
}

/** normalizeLogs, pausing every SLICE_RECORDS records (see ingest/work-in-slices.ts). */
export function* normalizeLogsSteps(request: unknown, limits?: RecordLimits): Steps<DecodedBatch> {
  const batch = emptyBatch();
  let seen = 0;
  const limiter = newLimiter(limits);
  const reasons = new Set<string>();
  const resourceLogs = isRecord(request) && Array.isArray(request.resourceLogs) ? request.resourceLogs : [];
  for (const rl of resourceLogs) {
    if (!isRecord(rl)) continue;
    const resourceAttrs = keyValuesToObject(isRecord(rl.resource) ? rl.resource.attributes : undefined, 0, limiter);
    const resource = JSON.stringify(resourceAttrs);
    const service = attrString(resourceAttrs, 'service.name');
    const instance = attrString(resourceAttrs, 'service.instance.id');
    const resourceTenant = attrString(resourceAttrs, SpanAttr.tenantId);
    const scopeLogs = Array.isArray(rl.scopeLogs) ? rl.scopeLogs : [];
    for (const sl of scopeLogs) {
      if (!isRecord(sl)) continue;
      const records = recordsOf(sl.logRecords);
      for (const rec of records) {
        if (++seen % SLICE_RECORDS === 0) yield;
        if (!isRecord(rec)) {
          batch.rejected += 1;
          reasons.add('log record is not an object');
          continue;
        }
        const traceId = parseId(rec.traceId, 16);
        const spanId = parseId(rec.spanId, 8);
        const timeNanos = parseNanos(rec.timeUnixNano);
        const observedNanos = parseNanos(rec.observedTimeUnixNano);
        if (traceId === null || spanId === null || timeNanos === null || observedNanos === null) {
          batch.rejected += 1;
          reasons.add('log record has a malformed traceId, spanId or timestamp');
          continue;
        }
        const attrs = keyValuesToObject(rec.attributes, 0, limiter);
        // The body is held to the attribute value limit too: a log line is read, not archived.
        const bodyValue = anyValueToJson(rec.body, 0, limiter);
        batch.logs.push({
          tenantId: attrString(attrs, LogField.tenantId) ?? attrString(attrs, SpanAttr.tenantId) ?? resourceTenant,
          // Per the OTLP data model, observed time stands in when the event time is unknown.
          timeNanos: timeNanos === 0n ? observedNanos : timeNanos,
          observedNanos,
          severityNumber: parseSmallInt(rec.severityNumber),
          severityText: typeof rec.severityText === 'string' && rec.severityText !== '' ? rec.severityText : null,
          body: typeof bodyValue === 'string' ? bodyValue : JSON.stringify(bodyValue),
          traceId: traceId || null,
          spanId: spanId || null,
          service: service ?? attrString(attrs, LogField.service),
          instance: instance ?? attrString(attrs, LogField.nodeId),
          component: attrString(attrs, LogField.component),
          perfViolation: attrBoolean(attrs, LogField.perfViolation),
          attributes: JSON.stringify(attrs),
          resource,
        });
      }
    }
  }
  batch.rejectReasons = [...reasons];
  batch.limited = limiter.counts;
  return batch;
}
