import { context, SpanKind, trace } from '@opentelemetry/api';
import { LegacyAttr, SpanAttr } from '@stitch/contract';
import { getScope } from '../../core/context/context-store.js';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import { recordError } from '../../core/tracing/record-error.js';
import { writesDeprecated } from '../../core/tracing/semconv-opt-in.js';

/**
 * Runs a driver's BEGIN … COMMIT in a `transaction` span, so a transaction's statements are
 * grouped under one parent in the waterfall and its outcome (`commit` or `rollback`) is on the
 * span. Not a budgeted span: the query budget applies to each statement.
 */
export async function runTracedTransaction<T>(system: string, run: () => Promise<T>): Promise<T> {
  const active = context.active();
  const span = getKernelTracer().startSpan('transaction', { kind: SpanKind.INTERNAL }, active);
  if (!span.isRecording()) return run();
  span.setAttribute(SpanAttr.dbSystemName, system);
  if (writesDeprecated('database')) span.setAttribute(LegacyAttr.dbSystem, system);
  span.setAttribute(SpanAttr.dbOperationName, 'transaction');
  const tenantId = getScope(active)?.tenantId;
  if (tenantId !== undefined) span.setAttribute(SpanAttr.tenantId, tenantId);
  try {
    const value = await context.with(trace.setSpan(active, span), run);
    span.setAttribute(SpanAttr.dbTransactionOutcome, 'commit');
    return value;
  } catch (error) {
    span.setAttribute(SpanAttr.dbTransactionOutcome, 'rollback');
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
