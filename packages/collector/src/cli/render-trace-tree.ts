import type { LogLine, TraceResponse, TraceSpan } from '@stitch/contract';
import { renderTable, type Cell } from './render-table.js';

const STATUS = ['unset', 'ok', 'error'];

type Node = { at: bigint; span: TraceSpan } | { at: bigint; log: LogLine };

const byTime = (a: Node, b: Node): number => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);

/**
 * `stitch trace`: each span under its parent, and each log line under the span that wrote it,
 * interleaved with that span's children by time, so a line reads beside the work it describes.
 * Lines whose span was not received sit at the top level by time.
 */
export function renderTraceTree(t: TraceResponse): string {
  const known = new Set(t.spans.map((s) => s.spanId));
  const under = new Map<string | null, Node[]>();
  const put = (parent: string | null, node: Node): void => {
    const list = under.get(parent) ?? [];
    list.push(node);
    under.set(parent, list);
  };
  for (const span of t.spans) put(span.parentSpanId !== null && known.has(span.parentSpanId) ? span.parentSpanId : null, { at: BigInt(span.startUnixNano), span });
  for (const log of t.logs) put(log.spanId !== null && known.has(log.spanId) ? log.spanId : null, { at: BigInt(log.timeUnixNano), log });
  const rows: Cell[][] = [];
  const walk = (parent: string | null, depth: number): void => {
    for (const node of (under.get(parent) ?? []).sort(byTime)) {
      const pad = '  '.repeat(depth);
      if ('span' in node) {
        const s = node.span;
        rows.push([s.startTime.slice(11, 23), `${pad}${s.name}`, s.service, s.durationMs, STATUS[s.statusCode] ?? String(s.statusCode), s.perfViolation ? 'VIOLATION' : '', s.tenantId]);
        walk(s.spanId, depth + 1);
      } else {
        const l = node.log;
        rows.push([l.time.slice(11, 23), `${pad}│ ${l.severityText ?? ''} ${l.body}`, l.service, null, '', '', l.tenantId]);
      }
    }
  };
  walk(null, 0);
  return `trace ${t.traceId}\n` + renderTable(['time', 'span / log', 'service', 'ms', 'status', 'budget', 'tenant'], rows);
}
