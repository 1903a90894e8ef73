import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { SpanAttr } from '@stitch/contract';
import { ensureIds, getScope, runInNewContext, setScope, withContext } from '../../core/context/context-store.js';
import { addEntryAttributes, ownEntry } from '../../core/context/entry.js';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import { recordError } from '../../core/tracing/record-error.js';

export interface BatchOptions<Item> {
  /** Names the batch span (`batch <name>`) and each item span (`batch.item <name>`). */
  readonly name: string;
  /** The tenant an item belongs to; an item of another tenant than the batch's runs in its own trace. */
  readonly tenantOf?: (item: Item, index: number) => string | undefined;
  /** Items processed at once; 1 (in order) by default. */
  readonly concurrency?: number;
}

export type BatchItemOutcome<Result> =
  | { readonly index: number; readonly ok: true; readonly value: Result; readonly traceId: string; readonly tenantId: string | undefined }
  | { readonly index: number; readonly ok: false; readonly error: unknown; readonly errorClass: string; readonly traceId: string; readonly tenantId: string | undefined };

export interface BatchResult<Result> {
  readonly name: string;
  /** The batch span's trace. */
  readonly traceId: string;
  readonly succeeded: number;
  readonly failed: number;
  /** One outcome per item, in input order. */
  readonly items: readonly BatchItemOutcome<Result>[];
}

/**
 * Processes `items` with one batch span and one span per item. A failing item is recorded
 * (span status, outcome) and does not stop the others. An item of another tenant than the
 * batch's context never becomes a span of the batch's trace: it runs in its own trace, linked
 * to the batch span (`withContext`'s tenant switch), so no trace mixes tenants.
 *
 * @example
 *   const result = await batch.run(invoices, { name: 'invoice.reminders', tenantOf: (i) => i.tenantId }, sendReminder);
 *   if (result.failed > 0) log.warn({ failed: result.failed }, 'some reminders failed');
 */
export async function runBatch<Item, Result>(
  items: readonly Item[],
  options: BatchOptions<Item>,
  fn: (item: Item, index: number) => Promise<Result> | Result,
): Promise<BatchResult<Result>> {
  const scope = getScope();
  if (scope === undefined) {
    // A batch started by a script or cron: it becomes the root of its own trace, and its entry.
    const entry = ownEntry('batch', options.name);
    return runInNewContext({ name: `batch ${options.name}`, entry }, () => runInBatchSpan(items, options, fn, trace.getActiveSpan()));
  }
  // Items carry the entry of the work that runs the batch (a request, a job), or the batch's own.
  const entry = scope.entry === undefined ? ownEntry('batch', options.name) : undefined;
  const attributes = batchAttributes(options.name, items.length);
  if (entry !== undefined) addEntryAttributes(attributes, entry);
  const span = ensureIds(getKernelTracer().startSpan(`batch ${options.name}`, { attributes }));
  const active = trace.setSpan(entry === undefined ? context.active() : setScope(context.active(), { ...scope, entry }), span);
  try {
    return await context.with(active, () => runInBatchSpan(items, options, fn, span));
  } finally {
    span.end();
  }
}

/** The batch helper as a namespace: `batch.run(items, options, fn)`. */
export const batch = Object.freeze({ run: runBatch });

async function runInBatchSpan<Item, Result>(
  items: readonly Item[],
  options: BatchOptions<Item>,
  fn: (item: Item, index: number) => Promise<Result> | Result,
  batchSpan: Span | undefined,
): Promise<BatchResult<Result>> {
  const batchTenant = getScope()?.tenantId;
  if (batchSpan?.isRecording() === true) batchSpan.setAttributes(batchAttributes(options.name, items.length));
  const outcomes: BatchItemOutcome<Result>[] = new Array(items.length);
  const itemName = `batch.item ${options.name}`;

  async function one(index: number): Promise<void> {
    const item = items[index] as Item;
    const tenantId = options.tenantOf?.(item, index) ?? batchTenant;
    const attributes: Attributes = { [SpanAttr.batchName]: options.name, [SpanAttr.batchIndex]: index };
    const run = async (): Promise<void> => {
      const span = trace.getActiveSpan();
      const traceId = span?.spanContext().traceId ?? '';
      try {
        const value = await fn(item, index);
        outcomes[index] = { index, ok: true, value, traceId, tenantId };
        span?.setAttribute(SpanAttr.batchItemOutcome, 'ok');
      } catch (error) {
        outcomes[index] = { index, ok: false, error, errorClass: error instanceof Error ? error.name : typeof error, traceId, tenantId };
        if (span?.isRecording() === true) {
          span.setAttribute(SpanAttr.batchItemOutcome, 'failed');
          recordError(span, error);
        }
      }
    };

    if (tenantId !== batchTenant && tenantId !== undefined) {
      // Another tenant: its own trace linked to the batch span. With a batch tenant,
      // withContext's tenant switch does exactly that; a tenantless batch (platform-wide work)
      // starts the item's root span here, the same way.
      if (batchTenant !== undefined) {
        await withContext(
          { tenantId },
          () => {
            trace.getActiveSpan()?.setAttributes(attributes);
            return run();
          },
          itemName,
        );
      } else {
        await runOwnTrace(itemName, tenantId, attributes, batchSpan, run);
      }
      return;
    }
    const span = ensureIds(getKernelTracer().startSpan(itemName, { attributes: { ...attributes, ...(tenantId !== undefined && { [SpanAttr.tenantId]: tenantId }) } }));
    try {
      await context.with(trace.setSpan(context.active(), span), run);
    } finally {
      span.end();
    }
  }

  const concurrency = Math.max(1, options.concurrency ?? 1);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await one(next++);
    }),
  );

  const failed = outcomes.filter((o) => !o.ok).length;
  if (batchSpan?.isRecording() === true) {
    batchSpan.setAttributes({ [SpanAttr.batchSucceeded]: items.length - failed, [SpanAttr.batchFailed]: failed });
    if (failed > 0) batchSpan.setStatus({ code: SpanStatusCode.ERROR, message: `${failed} of ${items.length} items failed` });
  }
  return { name: options.name, traceId: batchSpan?.spanContext().traceId ?? '', succeeded: items.length - failed, failed, items: outcomes };
}

async function runOwnTrace(name: string, tenantId: string, attributes: Attributes, batchSpan: Span | undefined, run: () => Promise<void>): Promise<void> {
  const scope = getScope();
  const links = batchSpan === undefined ? [] : [{ context: batchSpan.spanContext() }];
  const span = ensureIds(getKernelTracer().startSpan(name, { root: true, links, attributes: { ...attributes, [SpanAttr.tenantId]: tenantId } }));
  const ctx = setScope(trace.setSpan(context.active(), span), { requestId: scope?.requestId ?? span.spanContext().traceId, ...scope, tenantId, baggage: scope?.baggage ?? {} });
  try {
    await context.with(ctx, run);
  } finally {
    span.end();
  }
}

function batchAttributes(name: string, size: number): Attributes {
  return { [SpanAttr.batchName]: name, [SpanAttr.batchSize]: size };
}
