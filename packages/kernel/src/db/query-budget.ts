import type { Span } from '@opentelemetry/api';
import { LogField, PERF_VIOLATION_EVENT, SpanAttr } from '@stitch/contract';
import { tryCurrentContext } from '../context/context-store.js';

/** One query that took longer than its budget, in the fields of a `perf_violation` log line. */
export interface QueryPerfViolation {
  readonly component: 'query';
  readonly name: string;
  readonly observedMillis: number;
  readonly budgetMillis: number;
  readonly traceId: string | undefined;
  readonly tenantId: string | undefined;
}

export type QueryPerfViolationReporter = (violation: QueryPerfViolation) => void;

/**
 * SEAM: until `budgets/` lands, the query wrapper applies its budget here: the span gets the
 * violation attributes and event, and one structured warning line goes to stderr (or to the
 * reporter a test or the logger passes). When `budgets/` exports its check, this body becomes
 * a call to it, keyed on `stitch.component = query` and the query name; callers do not change.
 */
export function checkQueryBudget(
  span: Span,
  name: string,
  observedMillis: number,
  budgetMillis: number,
  report: QueryPerfViolationReporter = writePerfViolationLine,
): void {
  if (observedMillis <= budgetMillis) return;
  const ctx = tryCurrentContext();
  const spanContext = span.spanContext();
  const violation: QueryPerfViolation = {
    component: 'query',
    name,
    observedMillis,
    budgetMillis,
    traceId: spanContext.traceId !== '00000000000000000000000000000000' ? spanContext.traceId : ctx?.traceId,
    tenantId: ctx?.tenantId,
  };
  if (span.isRecording()) {
    span.setAttribute(SpanAttr.perfViolation, true);
    span.setAttribute(SpanAttr.budgetMillis, budgetMillis);
    span.addEvent(PERF_VIOLATION_EVENT, { component: 'query', name, observed_ms: observedMillis, budget_ms: budgetMillis });
  }
  try {
    report(violation);
  } catch {
    // Telemetry never breaks the host: a failing reporter loses this line, not the query.
  }
}

function writePerfViolationLine(v: QueryPerfViolation): void {
  process.stderr.write(
    `${JSON.stringify({
      level: 'warn',
      [LogField.perfViolation]: true,
      [LogField.component]: v.component,
      name: v.name,
      observed_ms: Math.round(v.observedMillis),
      budget_ms: v.budgetMillis,
      [LogField.traceId]: v.traceId,
      [LogField.tenantId]: v.tenantId,
      msg: 'query exceeded its budget',
    })}\n`,
  );
}
