import { context, createContextKey } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';

const HOUSEKEEPING_KEY = createContextKey('stitch.housekeeping');

/**
 * Runs `fn` as the kernel's own bookkeeping (a job's run record, a webhook attempt's record,
 * the outbox's lag and purge): every span started inside, the kernel's and any
 * OpenTelemetry instrumentation's (pg), is marked `stitch.housekeeping = true` by
 * ContextAttributesProcessor, and the collector leaves such spans out of search, `queries --top`
 * and the failure questions unless asked. In issue 11 these statements were `queries --top` #1
 * and #2 of a quiet service. The spans stay in their trace: a slow record write is still seen
 * where it happened. Polls that find no work are not marked but suppressed (no span at all).
 *
 * @example
 *   await runAsHousekeeping(() => runs.insert(record));
 */
export function runAsHousekeeping<T>(fn: () => T, ctx: Context = context.active()): T {
  return context.with(ctx.setValue(HOUSEKEEPING_KEY, true), fn);
}

/** Whether spans started in `ctx` are the kernel's bookkeeping. */
export function isHousekeeping(ctx: Context): boolean {
  return ctx.getValue(HOUSEKEEPING_KEY) === true;
}
