import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '@stitch/contract';
import { getScope } from '../context/context-store.js';
import { isStrictMode, strictModeApplies, strictViolation } from '../../setup/config/strict-mode.js';

/**
 * Strict mode's tenant check: a child span that names another tenant than the context it starts
 * in would show one tenant's work inside another tenant's trace (and, scoped by tenant, hide it
 * from both). Work for another tenant belongs in a new trace linked to this one, which
 * `withContext`'s tenant switch, jobs and batches already make: those spans are roots. Outside
 * strict mode the span keeps the tenant it names (ContextAttributesProcessor), as before.
 *
 * The same holds later in the span's life: `span.setAttribute('tenant.id', …)` (or
 * `setAttributes`) naming another tenant than the one the span already has relabels its work.
 * Strict mode wraps each span's `setAttribute` (the SDK's `setAttributes` calls it) to raise
 * there, at the caller's line; in production nothing is wrapped.
 *
 * Throwing from `onStart` reaches the caller of `startSpan`: the SDK does not catch it.
 */
export class StrictTenantsProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    if (!isStrictMode()) return;
    guardTenantChanges(span);
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

/** Raises when `span`, once it has a tenant, is given another one (a first tenant is not a change). */
function guardTenantChanges(span: Span): void {
  const setAttribute = span.setAttribute;
  span.setAttribute = function setTenantCheckedAttribute(key, value) {
    if (key === SpanAttr.tenantId && value !== undefined && value !== null && !span.ended) {
      const current = span.attributes[SpanAttr.tenantId];
      if (current !== undefined && current !== value && strictModeApplies()) {
        throw strictViolation('STITCH_ERR_STRICT_TENANTS_MIXED', { detail: `span "${span.name}" of tenant ${String(current)} was given tenant ${String(value)}` });
      }
    }
    return setAttribute.call(span, key, value);
  };
}
