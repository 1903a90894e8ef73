import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '@stitch/contract';
import { getScope } from '../context/context-store.js';

/**
 * Stamps `tenant.id` on every span started inside a Stitch context — the kernel's own child
 * spans and those of any OpenTelemetry instrumentation (pg, undici, ioredis…) alike — so each
 * span can be scoped by tenant on its own: a backend (the collector's tenant-bound tokens, a
 * Tempo query) never has to infer a span's tenant from an ancestor that may have arrived in
 * another batch or been dropped. A span that already names its tenant keeps it.
 */
export class ContextAttributesProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const tenantId = getScope(parentContext)?.tenantId;
    if (tenantId !== undefined && span.attributes[SpanAttr.tenantId] === undefined) {
      span.setAttribute(SpanAttr.tenantId, tenantId);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
