import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { AlwaysOnSampler, BasicTracerProvider, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoundedBatchSpanProcessor } from './bounded-batch-processor.js';
import type { BoundedBatchOptions } from './bounded-batch-processor.js';

/** An exporter that holds each batch until the test answers it. */
class HeldExporter implements SpanExporter {
  readonly batches: { spans: ReadableSpan[]; answer: (result: ExportResult) => void }[] = [];
  shutdowns = 0;
  private released = false;
  export(spans: ReadableSpan[], answer: (result: ExportResult) => void): void {
    if (this.released) answer({ code: ExportResultCode.SUCCESS });
    else this.batches.push({ spans, answer });
  }
  /** Answers what is held and everything from now on (the end of a test). */
  release(): void {
    this.released = true;
    this.answerAll(ExportResultCode.SUCCESS);
  }
  /** Resolves once `count` batches are held. */
  async held(count: number): Promise<void> {
    await vi.waitFor(() => expect(this.batches.length).toBeGreaterThanOrEqual(count), { interval: 1 });
  }
  shutdown(): Promise<void> {
    this.shutdowns += 1;
    return Promise.resolve();
  }
  answerAll(code: ExportResultCode): void {
    for (const batch of this.batches.splice(0)) batch.answer({ code });
  }
}

const defaults: BoundedBatchOptions = { maxQueueSize: 100, maxExportBatchSize: 100, scheduledDelayMillis: 60_000, exportTimeoutMillis: 5_000, shutdownTimeoutMillis: 5_000 };
const providers: BasicTracerProvider[] = [];
const exporters: HeldExporter[] = [];
afterEach(async () => {
  for (const exporter of exporters.splice(0)) exporter.release();
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

function setUp(options: Partial<BoundedBatchOptions>, sampler: Sampler = new AlwaysOnSampler()) {
  const exporter = new HeldExporter();
  exporters.push(exporter);
  const processor = new BoundedBatchSpanProcessor(exporter, { ...defaults, ...options });
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [processor] });
  providers.push(provider);
  const tracer = provider.getTracer('test');
  const end = (name: string, parent: Context = ROOT_CONTEXT) => tracer.startSpan(name, {}, parent).end();
  return { exporter, processor, end };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('BoundedBatchSpanProcessor (the SDK BatchSpanProcessor with a counting exporter)', () => {
  it('exports spans the head did not sample (kept by the tail) with their flags unchanged', async () => {
    // RECORD without SAMPLED: what the head sampler gives a trace the tail keep may still keep.
    const recordOnly: Sampler = { shouldSample: () => ({ decision: SamplingDecision.RECORD }), toString: () => 'record-only' };
    const { exporter, processor, end } = setUp({}, recordOnly);
    end('unsampled');
    const flushed = processor.forceFlush();
    await exporter.held(1);
    exporter.answerAll(ExportResultCode.SUCCESS);
    await flushed;
    expect(processor.stats()).toMatchObject({ exported: 1, queued: 0 });
  });

  it('sends the original span, not the view it queued, so exporters see the real trace flags', async () => {
    const recordOnly: Sampler = { shouldSample: () => ({ decision: SamplingDecision.RECORD }), toString: () => 'record-only' };
    const { exporter, processor, end } = setUp({}, recordOnly);
    end('unsampled');
    void processor.forceFlush();
    await exporter.held(1);
    const sent = exporter.batches[0]!.spans[0]!;
    expect(sent.name).toBe('unsampled');
    expect(sent.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(0);
    // A view would inherit its fields from the span it stands for; the real span holds its own.
    expect(Object.getOwnPropertyNames(sent)).toContain('name');
    exporter.answerAll(ExportResultCode.SUCCESS);
  });

  it('starts no export inside the span.end() that fills a batch (serialisation stays off the request)', async () => {
    const { exporter, processor, end } = setUp({ maxExportBatchSize: 2 });
    end('a');
    end('b');
    expect(exporter.batches).toHaveLength(0);
    await exporter.held(1);
    expect(exporter.batches.map((b) => b.spans.length)).toEqual([2]);
    exporter.answerAll(ExportResultCode.SUCCESS);
    await processor.forceFlush();
    expect(processor.stats()).toMatchObject({ exported: 2 });
  });

  it('holds at most maxQueueSize spans not yet sent, and one batch in flight: the rest is dropped and counted', async () => {
    const warnings: string[] = [];
    const { exporter, processor, end } = setUp({ maxQueueSize: 3, maxExportBatchSize: 3, warn: (_f, message) => void warnings.push(message) });
    // A burst within one turn of the event loop: s0–s2 fill a batch that is sent on the next turn.
    for (let i = 0; i < 5; i += 1) end(`s${i}`);
    expect(processor.stats()).toMatchObject({ queued: 3, droppedQueueFull: 2 });
    expect(warnings).toEqual(['span export queue is full: dropping spans']);
    await exporter.held(1);
    // Sent and not answered: the queue takes three more, the next is dropped.
    for (let i = 5; i < 9; i += 1) end(`s${i}`);
    expect(processor.stats()).toMatchObject({ queued: 3, droppedQueueFull: 3 });
    // Once per episode, with the number when it ends.
    expect(warnings).toEqual(['span export queue is full: dropping spans', 'span export queue accepts spans again', 'span export queue is full: dropping spans']);
    exporter.answerAll(ExportResultCode.SUCCESS);
    const flushed = processor.forceFlush();
    await exporter.held(1);
    exporter.answerAll(ExportResultCode.SUCCESS);
    await flushed;
    expect(processor.stats()).toMatchObject({ queued: 0, exported: 6, droppedQueueFull: 3 });
  });

  it('sends one batch at a time: a flush of many batches never opens a second request (the OTLP exporter refuses a third)', async () => {
    const { exporter, processor, end } = setUp({ maxQueueSize: 10, maxExportBatchSize: 2 });
    for (let i = 0; i < 10; i += 1) end(`s${i}`);
    const flushed = processor.forceFlush();
    for (let answered = 0; answered < 5; answered += 1) {
      await exporter.held(1);
      await nextTurn();
      await nextTurn();
      expect(exporter.batches, `batch ${answered + 1}`).toHaveLength(1);
      exporter.answerAll(ExportResultCode.SUCCESS);
    }
    await flushed;
    expect(processor.stats()).toMatchObject({ exported: 10, droppedQueueFull: 0, droppedExportFailed: 0, queued: 0 });
  });

  it('counts a batch the exporter never answers as failed after exportTimeoutMillis, and a late answer changes nothing', async () => {
    const { exporter, processor, end } = setUp({ exportTimeoutMillis: 50 });
    end('a');
    end('b');
    await processor.forceFlush();
    expect(processor.stats()).toMatchObject({ exported: 0, droppedExportFailed: 2, failedExports: 1 });
    exporter.answerAll(ExportResultCode.SUCCESS);
    expect(processor.stats()).toMatchObject({ exported: 0, droppedExportFailed: 2 });
  });

  it('counts an exporter that throws as a failed export', async () => {
    const exporter: SpanExporter = {
      export: () => {
        throw new Error('serialiser bug');
      },
      shutdown: () => Promise.resolve(),
    };
    const processor = new BoundedBatchSpanProcessor(exporter, defaults);
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    providers.push(provider);
    provider.getTracer('test').startSpan('a').end();
    await expect(processor.forceFlush()).resolves.toBeUndefined();
    expect(processor.stats()).toMatchObject({ droppedExportFailed: 1, failedExports: 1 });
  });

  it('shutdown keeps its deadline against a hanging exporter: what was queued or in flight is counted, then the exporter is shut down', async () => {
    const { exporter, processor, end } = setUp({ maxExportBatchSize: 2, shutdownTimeoutMillis: 100 });
    end('a');
    end('b');
    end('c');
    await exporter.held(1);
    await processor.shutdown();
    expect(processor.stats()).toMatchObject({ exported: 0, queued: 0, droppedShutdown: 3, droppedExportFailed: 0 });
    expect(exporter.shutdowns).toBe(1);
    exporter.answerAll(ExportResultCode.SUCCESS);
    expect(processor.stats()).toMatchObject({ exported: 0, droppedShutdown: 3 });
    end('late');
    expect(processor.stats().droppedShutdown).toBe(4);
  });

  it('shutdown flushes what is queued when the backend answers', async () => {
    const { exporter, processor, end } = setUp({});
    end('a');
    const shutDown = processor.shutdown();
    await exporter.held(1);
    exporter.answerAll(ExportResultCode.SUCCESS);
    await shutDown;
    expect(processor.stats()).toMatchObject({ exported: 1, droppedShutdown: 0 });
    expect(exporter.shutdowns).toBe(1);
  });

  it('keeps child spans of a sampled parent as they are', async () => {
    const { exporter, processor, end } = setUp({});
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    end('child', parent);
    void processor.forceFlush();
    await exporter.held(1);
    expect(exporter.batches[0]!.spans[0]!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    exporter.answerAll(ExportResultCode.SUCCESS);
  });
});
