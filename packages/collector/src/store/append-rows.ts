import type { DuckDBAppender } from '@duckdb/node-api';
import type { LogRow, SpanEventRow, SpanLinkRow, SpanRow } from '../otlp/records.js';

// One function per table, in column order of schema.ts. Appender calls are positional, so
// these are the only places that must change together with the DDL.

function str(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}
function num(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendDouble(v);
}
function int(a: DuckDBAppender, v: number | null): void {
  if (v === null || !Number.isInteger(v) || Math.abs(v) > 2_147_483_647) a.appendNull();
  else a.appendInteger(v);
}
// BIGINT is signed: a (hostile) fixed64 past 2^63 would not fit, so it is clamped.
const MAX_I64 = 2n ** 63n - 1n;
function nanos(a: DuckDBAppender, v: bigint): void {
  a.appendBigInt(v > MAX_I64 ? MAX_I64 : v);
}

export function appendSpan(a: DuckDBAppender, r: SpanRow): void {
  str(a, r.tenantId);
  a.appendVarchar(r.traceId);
  a.appendVarchar(r.spanId);
  str(a, r.parentSpanId);
  str(a, r.service);
  str(a, r.instance);
  a.appendVarchar(r.name);
  a.appendTinyInt(r.kind > 127 ? 0 : r.kind);
  str(a, r.route);
  str(a, r.component);
  a.appendTinyInt(r.statusCode > 127 ? 0 : r.statusCode);
  str(a, r.statusMessage);
  nanos(a, r.startNanos);
  nanos(a, r.endNanos);
  a.appendDouble(r.durationMillis);
  a.appendBoolean(r.perfViolation);
  num(a, r.budgetMillis);
  str(a, r.queryName);
  str(a, r.queryText);
  int(a, r.httpStatus);
  str(a, r.requestId);
  str(a, r.webhookEndpoint);
  int(a, r.webhookAttempt);
  str(a, r.jobName);
  str(a, r.jobId);
  str(a, r.runId);
  str(a, r.parentTraceId);
  str(a, r.parentRequestId);
  str(a, r.scopeName);
  a.appendVarchar(r.attributes);
  a.appendVarchar(r.resource);
  str(a, r.entryRoute);
  a.endRow();
}

export function appendEvent(a: DuckDBAppender, r: SpanEventRow): void {
  str(a, r.tenantId);
  a.appendVarchar(r.traceId);
  a.appendVarchar(r.spanId);
  nanos(a, r.timeNanos);
  a.appendVarchar(r.name);
  a.appendVarchar(r.attributes);
  a.endRow();
}

export function appendLink(a: DuckDBAppender, r: SpanLinkRow): void {
  str(a, r.tenantId);
  nanos(a, r.timeNanos);
  a.appendVarchar(r.traceId);
  a.appendVarchar(r.spanId);
  a.appendVarchar(r.linkedTraceId);
  a.appendVarchar(r.linkedSpanId);
  a.appendVarchar(r.attributes);
  a.endRow();
}

export function appendLog(a: DuckDBAppender, r: LogRow): void {
  str(a, r.tenantId);
  nanos(a, r.timeNanos);
  nanos(a, r.observedNanos);
  a.appendTinyInt(r.severityNumber > 127 ? 0 : r.severityNumber);
  str(a, r.severityText);
  a.appendVarchar(r.body);
  str(a, r.traceId);
  str(a, r.spanId);
  str(a, r.service);
  str(a, r.instance);
  str(a, r.component);
  a.appendBoolean(r.perfViolation);
  a.appendVarchar(r.attributes);
  a.appendVarchar(r.resource);
  a.endRow();
}
