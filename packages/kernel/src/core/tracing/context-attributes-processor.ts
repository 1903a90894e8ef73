import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '@stitch/contract';
import { entryOf, getScope, routeOf } from '../context/context-store.js';
import type { StitchScope } from '../context/context-store.js';
import { isHousekeeping } from './housekeeping.js';

/**
 * Stamps what a span's context knows on every span started inside a Stitch context — the
 * kernel's own child spans and those of any OpenTelemetry instrumentation (pg, undici,
 * ioredis…) alike — so each span can be read on its own: a backend (the collector's
 * tenant-bound tokens, a Tempo query) never has to infer a span's tenant or entry from an
 * ancestor that may have arrived in another batch or been dropped.
 * - `tenant.id`;
 * - `stitch.entry.kind` and `stitch.entry.route` (core/context/entry.ts): what started the work;
 * - `stitch.housekeeping` inside `runAsHousekeeping`.
 * A span that already names its tenant or entry keeps it.
 */
export class ContextAttributesProcessor implements SpanProcessor {
  // Spans of a request started before its router matched the route (Express auth middleware):
  // their entry route is filled in as they end. Only those spans get an entry here.
  private readonly awaitingRoute = new WeakMap<Span, StitchScope>();

  onStart(span: Span, parentContext: Context): void {
    const scope = getScope(parentContext);
    if (scope !== undefined) {
      const attributes = span.attributes;
      if (scope.tenantId !== undefined && attributes[SpanAttr.tenantId] === undefined) {
        span.setAttribute(SpanAttr.tenantId, scope.tenantId);
      }
      if (scope.entry !== undefined && attributes[SpanAttr.entryKind] === undefined) {
        const entry = entryOf(scope);
        span.setAttribute(SpanAttr.entryKind, scope.entry.kind);
        if (entry?.route !== undefined) span.setAttribute(SpanAttr.entryRoute, entry.route);
        else if (scope.entry.kind === 'http') this.awaitingRoute.set(span, scope);
      }
    }
    if (isHousekeeping(parentContext)) span.setAttribute(SpanAttr.housekeeping, true);
  }

  onEnding(span: Span): void {
    const scope = this.awaitingRoute.get(span);
    if (scope === undefined) return;
    this.awaitingRoute.delete(span);
    const route = routeOf(scope);
    if (route !== undefined) span.setAttribute(SpanAttr.entryRoute, route);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
