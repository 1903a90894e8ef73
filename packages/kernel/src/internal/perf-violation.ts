import type { Span } from '@opentelemetry/api';
import { LogField, PERF_VIOLATION_EVENT, SpanAttr } from '@stitch/contract';
import type { BudgetComponent } from '@stitch/contract';

/** One operation that took longer than its budget, in the fields of a `perf_violation` log line. */
export interface PerfViolation {
  readonly component: BudgetComponent;
  readonly name: string;
  readonly observedMillis: number;
  readonly budgetMillis: number;
  readonly traceId: string | undefined;
  readonly tenantId: string | undefined;
}

export type PerfViolationReporter = (violation: PerfViolation) => void;

/**
 * SEAM for jobs (`component: "job"`) and webhooks (`component: "external"`): until `budgets/`
 * exports its check, the span gets the violation attribute and event here and one structured
 * warning line goes to stderr (or to the reporter a test or the logger passes). When it lands,
 * this body becomes a call to it, keyed on `stitch.component` and the name; callers stay as they are.
 */
export function checkBudget(
  span: Span,
  violation: Omit<PerfViolation, 'traceId'>,
  report: PerfViolationReporter = writePerfViolationLine,
): boolean {
  if (violation.observedMillis <= violation.budgetMillis) return false;
  const { component, name, observedMillis, budgetMillis } = violation;
  if (span.isRecording()) {
    span.setAttribute(SpanAttr.perfViolation, true);
    span.setAttribute(SpanAttr.budgetMillis, budgetMillis);
    span.addEvent(PERF_VIOLATION_EVENT, { component, name, observed_ms: observedMillis, budget_ms: budgetMillis });
  }
  try {
    report({ ...violation, traceId: span.spanContext().traceId });
  } catch {
    // Telemetry never breaks the host: a failing reporter loses this line, not the work.
  }
  return true;
}

function writePerfViolationLine(v: PerfViolation): void {
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
      msg: `${v.component} exceeded its budget`,
    })}\n`,
  );
}
