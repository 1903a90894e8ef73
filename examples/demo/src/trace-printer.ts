import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

const TENANT = 'tenant.id';

/**
 * Prints each kept trace as an indented tree when its local root ends, so the demo shows what
 * an exporter would send without any backend running. Children end before their root, so by
 * then the whole local trace is here.
 */
export class TracePrinter implements SpanProcessor {
  private readonly pending = new Map<string, ReadableSpan[]>();

  constructor(private readonly write: (text: string) => void = (text) => process.stdout.write(text)) {}

  onStart(_span: Span, _parent: Context): void {}

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    const spans = this.pending.get(traceId) ?? [];
    spans.push(span);
    this.pending.set(traceId, spans);
    const parent = span.parentSpanContext;
    if (parent === undefined || parent.isRemote === true) {
      this.pending.delete(traceId);
      this.write(renderTrace(spans));
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function millis(span: ReadableSpan): string {
  const [seconds, nanos] = span.duration;
  return `${(seconds * 1e3 + nanos / 1e6).toFixed(1)} ms`;
}

export function renderTrace(spans: readonly ReadableSpan[]): string {
  const byParent = new Map<string | undefined, ReadableSpan[]>();
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  for (const span of spans) {
    const parentId = span.parentSpanContext?.spanId;
    const key = parentId !== undefined && ids.has(parentId) ? parentId : undefined;
    byParent.set(key, [...(byParent.get(key) ?? []), span]);
  }
  const lines: string[] = [];
  const visit = (span: ReadableSpan, depth: number): void => {
    const tenant = span.attributes[TENANT];
    const status = span.status.code === 2 ? '  ✗ error' : '';
    const violation = span.attributes['stitch.perf_violation'] === true ? '  ⚠ over budget' : '';
    const reason = span.attributes['stitch.sampling.reason'];
    lines.push(
      `${'  '.repeat(depth)}${depth === 0 ? '●' : '└'} ${span.name}  ${millis(span)}` +
        `${tenant === undefined ? '' : `  tenant=${String(tenant).slice(0, 8)}…`}${status}${violation}` +
        `${reason === undefined ? '' : `  kept: ${String(reason)}`}`,
    );
    const children = (byParent.get(span.spanContext().spanId) ?? []).sort((a, b) => compareTime(a, b));
    for (const child of children) visit(child, depth + 1);
  };
  const roots = byParent.get(undefined) ?? [];
  const header = `\n── trace ${spans[0]?.spanContext().traceId ?? ''} ─────────────────────────\n`;
  for (const root of roots.sort((a, b) => compareTime(a, b))) visit(root, 0);
  return `${header}${lines.join('\n')}\n\n`;
}

function compareTime(a: ReadableSpan, b: ReadableSpan): number {
  return a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1];
}
