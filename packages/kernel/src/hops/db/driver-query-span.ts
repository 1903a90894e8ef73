import { createContextKey } from '@opentelemetry/api';
import type { Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The instrumentation whose query spans the db wrapper enriches instead of opening its own. */
export const PG_INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-pg';

interface PendingQuery {
  readonly attributes: Attributes;
  claimed: boolean;
}

const PENDING_QUERY = createContextKey('stitch.db.pending-query');

/**
 * The context to run a driver call in when the driver's own instrumentation makes the query span
 * (issue 13: one span per query): the first query span it starts in that context gets
 * `attributes` (the query budget mark, the caller's query name, the tenant) from
 * `DriverQuerySpanProcessor`, at its start, where the budget marking must be.
 *
 * @example
 *   context.with(withDriverQueryAttributes(context.active(), { 'stitch.component': 'query' }), () => client.query(sql));
 */
export function withDriverQueryAttributes(ctx: Context, attributes: Attributes): Context {
  const pending: PendingQuery = { attributes, claimed: false };
  return ctx.setValue(PENDING_QUERY, pending);
}

/**
 * Gives a driver instrumentation's query span what the db wrapper would have put on its own.
 * Only query spans, not a pool's or client's `connect` span (`pg-pool.connect`, `pg.connect`),
 * which pool.query() starts first in the same context; the statement text is set only after
 * start, so the name tells them apart.
 */
export class DriverQuerySpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const pending = parentContext.getValue(PENDING_QUERY) as PendingQuery | undefined;
    if (pending === undefined || pending.claimed || span.instrumentationScope.name !== PG_INSTRUMENTATION_SCOPE) return;
    if (span.name.endsWith('.connect')) return;
    pending.claimed = true;
    span.setAttributes(pending.attributes);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
