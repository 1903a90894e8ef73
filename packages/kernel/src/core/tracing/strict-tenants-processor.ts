import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '@stitch/contract';
import { getScope } from '../context/context-store.js';
import { strictModeApplies, strictViolation } from '../../setup/config/strict-mode.js';

/**
 * Strict mode's tenant check: a child span that names another tenant than the context it starts
 * in would show one tenant's work inside another tenant's trace (and, scoped by tenant, hide it
 * from both). Work for another tenant belongs in a new trace linked to this one, which
 * `withContext`'s tenant switch, jobs and batches already make: those spans are roots. Outside
 * strict mode the span keeps the tenant it names (ContextAttributesProcessor), as before.
 *
 * Throwing from `onStart` reaches the caller of `startSpan`: the SDK does not catch it.
 */
export class StrictTenantsProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const own = span.attributes[SpanAttr.tenantId];
    if (own === undefined || span.parentSpanContext === undefined) return;
    const tenantId = getScope(parentContext)?.tenantId;
    if (tenantId === undefined || own === tenantId || !strictModeApplies(parentContext)) return;
    throw strictViolation('STITCH_ERR_STRICT_TENANTS_MIXED', { detail: `span "${span.name}" names tenant ${String(own)} inside a context of tenant ${tenantId}` });
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
