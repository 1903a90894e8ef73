import { LegacyAttr, SpanAttr } from '@stitch/contract';

/**
 * A span column filled from attributes (issue 13: one table, from the contract's names, for the
 * ingest that lifts, the search that filters and the trace view that shows them back).
 * `sources` in order of preference: the current name first, then what other SDKs and older
 * kernels write. `kept` sources stay in the attribute JSON as well (they are not the column's
 * own name, so the trace view must not show the column under the first name when one of them
 * filled it).
 */
export interface LiftedColumn {
  column: string;
  sources: readonly string[];
  kept?: readonly string[];
}

const HTTP_STATUS = 'http.response.status_code';

export const LIFTED_COLUMNS: readonly LiftedColumn[] = [
  { column: 'tenant_id', sources: [SpanAttr.tenantId] },
  { column: 'route', sources: [SpanAttr.routeId] },
  { column: 'component', sources: [SpanAttr.component] },
  { column: 'perf_violation', sources: [SpanAttr.perfViolation] },
  { column: 'budget_ms', sources: [SpanAttr.budgetMillis] },
  // What the questions group a query on: the caller's name, else the convention's summary
  // (`SELECT orders`, what instrumentation-pg and other SDKs write), else the name kernels
  // before issue 13 wrote. Schema v6 fills the column from the summary for rows stored before.
  { column: 'query_name', sources: [SpanAttr.queryName, SpanAttr.querySummary, LegacyAttr.queryName], kept: [SpanAttr.querySummary] },
  { column: 'query_text', sources: [SpanAttr.dbStatement] },
  { column: 'http_status', sources: [HTTP_STATUS] },
  { column: 'request_id', sources: [SpanAttr.requestId] },
  { column: 'webhook_endpoint', sources: [SpanAttr.webhookEndpoint] },
  { column: 'webhook_attempt', sources: [SpanAttr.webhookAttempt] },
  { column: 'job_name', sources: [SpanAttr.jobName] },
  { column: 'job_id', sources: [SpanAttr.jobId] },
  { column: 'run_id', sources: [SpanAttr.runId] },
  { column: 'parent_trace_id', sources: [SpanAttr.parentTraceId] },
  { column: 'parent_request_id', sources: [SpanAttr.parentRequestId] },
];

/** Attribute names taken out of the JSON blob (their value lives only in the column). */
export const LIFTED_OUT: ReadonlySet<string> = new Set(
  LIFTED_COLUMNS.flatMap((c) => c.sources.filter((s) => !(c.kept ?? []).includes(s))),
);

/** The column holding a lifted-out attribute: a filter on it must read the column, the blob no longer has it. */
export const COLUMN_OF_ATTRIBUTE: Readonly<Record<string, string>> = Object.fromEntries(
  LIFTED_COLUMNS.flatMap((c) => c.sources.filter((s) => LIFTED_OUT.has(s)).map((s) => [s, c.column] as const)),
);

/** Where a query's name comes from, best first. */
export const QUERY_NAME_SOURCES = LIFTED_COLUMNS.find((c) => c.column === 'query_name')!.sources;

/**
 * The attributes a stored span showed before ingest lifted them: each column's value under its
 * current name, unless a kept source (still in `attributes`) is where the value came from.
 */
export function liftedBackAttributes(row: Readonly<Record<string, unknown>>, attributes: Record<string, unknown>): Record<string, unknown> {
  for (const c of LIFTED_COLUMNS) {
    const value = row[c.column];
    if (value === null || value === undefined) continue;
    if (c.column === 'perf_violation' && value !== true) continue;
    if ((c.kept ?? []).some((k) => attributes[k] === value)) continue;
    attributes[c.sources[0]!] = value;
  }
  return attributes;
}
