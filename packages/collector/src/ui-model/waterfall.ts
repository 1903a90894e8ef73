import type { LogLine, TraceResponse, TraceSpan } from '@stitch/contract';

/** One line of the waterfall: a span placed on the trace's time axis, with its log lines. */
export interface WaterfallRow {
  span: TraceSpan;
  depth: number;
  /** Milliseconds from the trace's first start to this span's start. */
  offsetMs: number;
  /** Bar position and width as percentages of the trace's extent (width at least a sliver). */
  leftPct: number;
  widthPct: number;
  hasChildren: boolean;
  isError: boolean;
  isViolation: boolean;
  /** Log lines that name this span, by time. */
  logs: LogLine[];
}

export interface Waterfall {
  traceId: string;
  /** Unix nanoseconds of the earliest span start (the axis origin). */
  startUnixNano: bigint;
  totalMs: number;
  rows: WaterfallRow[];
  services: string[];
  tenants: string[];
  /** Log lines whose span is not in the trace (or that carry none): shown under the waterfall. */
  orphanLogs: LogLine[];
}

/** The smallest bar, in percent, so a 0 ms span is still visible and clickable. */
const MIN_WIDTH_PCT = 0.3;

const nanosOf = (s: string): bigint => (/^\d+$/.test(s) ? BigInt(s) : 0n);
const millisBetween = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

/**
 * Lays a trace out as waterfall rows. The API already sends spans in tree order with their
 * depth, so rows keep that order; offsets come from the nanosecond strings (a JSON number
 * would lose precision past 2^53 ns, i.e. any real timestamp).
 *
 * @example toWaterfall(trace).rows[0].leftPct // 0 for the root
 */
export function toWaterfall(trace: TraceResponse): Waterfall {
  const spans = trace.spans;
  let start = spans.length > 0 ? nanosOf(spans[0]!.startUnixNano) : 0n;
  let end = start;
  for (const s of spans) {
    const st = nanosOf(s.startUnixNano);
    if (st < start) start = st;
    const en = st + BigInt(Math.round(s.durationMs * 1e6));
    if (en > end) end = en;
  }
  if (spans.length === 0 && trace.logs.length > 0) {
    start = nanosOf(trace.logs[0]!.timeUnixNano);
    end = nanosOf(trace.logs[trace.logs.length - 1]!.timeUnixNano);
  }
  const totalMs = Math.max(0, millisBetween(start, end));
  const scale = totalMs > 0 ? 100 / totalMs : 0;

  const ids = new Set(spans.map((s) => s.spanId));
  const parents = new Set(spans.map((s) => s.parentSpanId).filter((p): p is string => p !== null && ids.has(p)));
  const logsBySpan = new Map<string, LogLine[]>();
  const orphanLogs: LogLine[] = [];
  for (const log of [...trace.logs].sort(byLogTime)) {
    if (log.spanId !== null && ids.has(log.spanId)) {
      const list = logsBySpan.get(log.spanId) ?? [];
      list.push(log);
      logsBySpan.set(log.spanId, list);
    } else {
      orphanLogs.push(log);
    }
  }

  const rows = spans.map((span): WaterfallRow => {
    const offsetMs = millisBetween(start, nanosOf(span.startUnixNano));
    const leftPct = clamp(offsetMs * scale, 0, 100);
    const widthPct = totalMs > 0 ? clamp(span.durationMs * scale, MIN_WIDTH_PCT, 100 - leftPct) : 100;
    return {
      span,
      depth: span.depth,
      offsetMs,
      leftPct,
      widthPct: Math.max(widthPct, Math.min(MIN_WIDTH_PCT, 100 - leftPct)),
      hasChildren: parents.has(span.spanId),
      isError: span.statusCode === 2,
      isViolation: span.perfViolation,
      logs: logsBySpan.get(span.spanId) ?? [],
    };
  });
  return {
    traceId: trace.traceId,
    startUnixNano: start,
    totalMs,
    rows,
    services: distinct(spans.map((s) => s.service)),
    tenants: distinct([...spans.map((s) => s.tenantId), ...trace.logs.map((l) => l.tenantId)]),
    orphanLogs,
  };
}

/**
 * The rows still shown when the spans in `collapsed` are folded: every descendant of a folded
 * span is hidden. Relies on tree order (descendants follow their ancestor with greater depth).
 */
export function visibleRows(rows: readonly WaterfallRow[], collapsed: ReadonlySet<string>): WaterfallRow[] {
  const out: WaterfallRow[] = [];
  let hideBelowDepth: number | null = null;
  for (const row of rows) {
    if (hideBelowDepth !== null) {
      if (row.depth > hideBelowDepth) continue;
      hideBelowDepth = null;
    }
    out.push(row);
    if (collapsed.has(row.span.spanId) && row.hasChildren) hideBelowDepth = row.depth;
  }
  return out;
}

/** Ticks for the time axis: `count` evenly spaced labels from 0 to the total. */
export function axisTicks(totalMs: number, count = 5): { pct: number; ms: number }[] {
  if (totalMs <= 0) return [{ pct: 0, ms: 0 }];
  return Array.from({ length: count + 1 }, (_, i) => ({ pct: (i * 100) / count, ms: (totalMs * i) / count }));
}

/** Milliseconds from the trace origin to a log line or span event. */
export function offsetFromOrigin(waterfall: Pick<Waterfall, 'startUnixNano'>, unixNano: string): number {
  return millisBetween(waterfall.startUnixNano, nanosOf(unixNano));
}

function byLogTime(a: LogLine, b: LogLine): number {
  const x = nanosOf(a.timeUnixNano);
  const y = nanosOf(b.timeUnixNano);
  return x < y ? -1 : x > y ? 1 : 0;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function distinct(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))].sort();
}
