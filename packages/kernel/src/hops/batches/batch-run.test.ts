import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { currentContext, runInNewContext } from '../../core/context/context-store.js';
import { startStitch } from '../../setup/start-stitch.js';
import { batch } from './batch-run.js';

const exporter = new InMemorySpanExporter();
const stitch = startStitch({ serviceName: 'batch-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
afterAll(() => stitch.shutdown());
beforeEach(() => exporter.reset());

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';

describe('batch.run()', () => {
  it('makes one batch span and one child span per item, and a failing item loses none of the others', async () => {
    const result = await runInNewContext({ name: 'cron', tenantId: TENANT_A }, () =>
      batch.run([1, 2, 3, 4], { name: 'reminders' }, (n) => {
        if (n === 2) throw new RangeError('item 2 is bad');
        return n * 10;
      }),
    );
    expect(result.succeeded).toBe(3);
    expect(result.failed).toBe(1);
    expect(result.items.map((o) => (o.ok ? o.value : o.errorClass))).toEqual([10, 'RangeError', 30, 40]);

    const spans = exporter.getFinishedSpans();
    const batchSpan = spans.find((s) => s.name === 'batch reminders');
    const items = spans.filter((s) => s.name === 'batch.item reminders');
    expect(items).toHaveLength(4);
    for (const item of items) {
      expect(item.parentSpanContext?.spanId).toBe(batchSpan?.spanContext().spanId);
      expect(item.spanContext().traceId).toBe(result.traceId);
    }
    expect(items.find((s) => s.attributes['stitch.batch.index'] === 1)?.attributes['stitch.batch.item.outcome']).toBe('failed');
    expect(batchSpan?.attributes).toMatchObject({ 'stitch.batch.size': 4, 'stitch.batch.succeeded': 3, 'stitch.batch.failed': 1 });
  });

  it('an item of another tenant runs in its own trace linked to the batch span, with its tenant in context', async () => {
    const items = [
      { id: 'a1', tenantId: TENANT_A },
      { id: 'b1', tenantId: TENANT_B },
      { id: 'a2', tenantId: TENANT_A },
    ];
    const seen: Record<string, { tenantId: string | undefined; traceId: string }> = {};
    const result = await runInNewContext({ name: 'req', tenantId: TENANT_A }, () =>
      batch.run(items, { name: 'sync', tenantOf: (i) => i.tenantId }, (i) => {
        seen[i.id] = { tenantId: currentContext().tenantId, traceId: currentContext().traceId };
      }),
    );
    expect(seen.a1).toEqual({ tenantId: TENANT_A, traceId: result.traceId });
    expect(seen.a2).toEqual({ tenantId: TENANT_A, traceId: result.traceId });
    expect(seen.b1?.tenantId).toBe(TENANT_B);
    expect(seen.b1?.traceId).not.toBe(result.traceId);

    const batchSpan = exporter.getFinishedSpans().find((s) => s.name === 'batch sync');
    const bSpan = exporter.getFinishedSpans().find((s) => s.spanContext().traceId === seen.b1?.traceId);
    expect(bSpan?.parentSpanContext).toBeUndefined();
    expect(bSpan?.links.map((l) => l.context.spanId)).toEqual([batchSpan?.spanContext().spanId]);
    expect(bSpan?.attributes['tenant.id']).toBe(TENANT_B);
    // No span of the batch's trace carries tenant B.
    const batchTrace = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === result.traceId);
    expect(batchTrace.some((s) => s.attributes['tenant.id'] === TENANT_B)).toBe(false);
  });

  it('a batch started outside any context is the root of its own trace; each tenant’s items get their own', async () => {
    const result = await batch.run([TENANT_A, TENANT_B], { name: 'nightly', tenantOf: (t) => t, concurrency: 2 }, () => currentContext().traceId);
    const traces = result.items.map((o) => (o.ok ? o.value : ''));
    expect(new Set([result.traceId, ...traces]).size).toBe(3);
    expect(result.items.map((o) => o.tenantId)).toEqual([TENANT_A, TENANT_B]);
    const root = exporter.getFinishedSpans().find((s) => s.name === 'batch nightly');
    expect(root?.parentSpanContext).toBeUndefined();
    expect(root?.attributes['tenant.id']).toBeUndefined();
  });
});
