/**
 * The evidence blocks of seed 000 §6 (EVI044, "Telemetry Propagation Certified"), gathered from
 * one real run and checked against each other. Gathering reads each block from where it lives
 * (the HTTP answer, the database, what the engine received, the collector); checking is pure,
 * so the disagreements it must catch are tested on their own.
 */

/** What one run produced, block by block, each with where it was read from. */
export interface Evidence {
  /** [A] the approval's answer. */
  readonly edge: { readonly status: number; readonly traceId: string | null; readonly tenantId: string; readonly source: string };
  /** [B] audit rows with that trace id. */
  readonly audit: { readonly rows: readonly Record<string, unknown>[]; readonly source: string };
  /** [C] the outbox event and the webhook deliveries with that trace id. */
  readonly outbox: { readonly rows: readonly Record<string, unknown>[]; readonly source: string };
  readonly deliveries: { readonly rows: readonly Record<string, unknown>[]; readonly source: string };
  /** [D] statements the engine received carrying that trace id in their comment. */
  readonly statements: { readonly texts: readonly string[]; readonly source: string };
  /** [E] the perf_violation line of the request that broke its route budget. */
  readonly violation: {
    readonly traceId: string | null;
    readonly lines: readonly Record<string, unknown>[];
    readonly source: string;
  };
}

const TRACE_ID = /^[0-9a-f]{32}$/;

/** Every way the blocks fail the acceptance: missing, or disagreeing with [A]. Empty when certified. */
export function checkEvidence(e: Evidence): string[] {
  const problems: string[] = [];
  const traceId = e.edge.traceId;
  if (traceId === null || !TRACE_ID.test(traceId)) return [`[A] the answer has no valid x-trace-id (got ${String(traceId)})`];
  if (e.edge.status >= 400) problems.push(`[A] the approval answered ${e.edge.status}`);

  if (e.audit.rows.length === 0) problems.push('[B] no audit row has the trace id');
  for (const row of e.audit.rows) {
    if (row.trace_id !== traceId) problems.push(`[B] audit row ${String(row.id)} has trace ${String(row.trace_id)}`);
    if (row.tenant_id !== e.edge.tenantId) problems.push(`[B] audit row ${String(row.id)} is tenant ${String(row.tenant_id)}, not ${e.edge.tenantId}`);
  }

  const events = e.outbox.rows;
  if (events.length === 0) problems.push('[C] no outbox event has the trace id');
  for (const row of events) {
    if (row.trace_id !== traceId) problems.push(`[C] outbox event ${String(row.id)} has trace ${String(row.trace_id)}`);
    if (typeof row.traceparent !== 'string' || !row.traceparent.includes(`-${traceId}-`)) problems.push(`[C] outbox event ${String(row.id)}'s traceparent is not of the trace`);
  }
  if (e.deliveries.rows.length === 0) problems.push('[C] no webhook delivery record has the trace id');
  for (const row of e.deliveries.rows) {
    if (row.trace_id !== traceId) problems.push(`[C] webhook delivery ${String(row.id)} has trace ${String(row.trace_id)}`);
    if (!events.some((event) => event.id === row.event_id)) problems.push(`[C] webhook delivery ${String(row.id)} is for event ${String(row.event_id)}, not an outbox event of the trace`);
    if (row.tenant_id !== e.edge.tenantId) problems.push(`[C] webhook delivery ${String(row.id)} is tenant ${String(row.tenant_id)}`);
  }

  if (e.statements.texts.length === 0) problems.push('[D] the database received no statement with the trace comment');
  for (const text of e.statements.texts) {
    if (!text.includes(`traceparent='00-${traceId}-`)) problems.push(`[D] a statement's comment names another trace: ${text.slice(-160)}`);
    if (!text.includes(`tenant_id='${e.edge.tenantId}'`)) problems.push(`[D] a statement's comment has no tenant_id='${e.edge.tenantId}'`);
  }

  const violations = e.violation.lines.filter((line) => line.perf_violation === true);
  if (violations.length === 0) problems.push('[E] no perf_violation line for the request over its budget');
  for (const line of violations) {
    if (line.trace_id !== e.violation.traceId) problems.push(`[E] the perf_violation line has trace ${String(line.trace_id)}, its request answered ${String(e.violation.traceId)}`);
    if (line.tenant_id !== e.edge.tenantId) problems.push(`[E] the perf_violation line is tenant ${String(line.tenant_id)}`);
    if (typeof line.observed_ms !== 'number' || typeof line.budget_ms !== 'number' || line.observed_ms <= line.budget_ms) {
      problems.push(`[E] the perf_violation line does not show a breach: observed ${String(line.observed_ms)} ms, budget ${String(line.budget_ms)} ms`);
    }
  }
  return problems;
}
