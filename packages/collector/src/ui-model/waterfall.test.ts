import type { LogLine, TraceResponse, TraceSpan } from '@stitch/contract';
import { describe, expect, it } from 'vitest';
import { axisTicks, offsetFromOrigin, toWaterfall, visibleRows } from './waterfall.js';

// A real-sized Unix-nanosecond origin: beyond 2^53, where a JSON number would round.
const T0 = 1_763_777_045_123_456_789n;

function span(spanId: string, parentSpanId: string | null, depth: number, startMs: number, durationMs: number, extra: Partial<TraceSpan> = {}): TraceSpan {
  return {
    traceId: 'a'.repeat(32),
    spanId,
    parentSpanId,
    depth,
    tenantId: 't1',
    service: 'api',
    name: spanId,
    kind: 1,
    route: null,
    component: null,
    statusCode: 0,
    statusMessage: null,
    startTime: '2026-11-22T02:00:00.000Z',
    startUnixNano: (T0 + BigInt(Math.round(startMs * 1e6))).toString(),
    durationMs,
    perfViolation: false,
    attributes: {},
    resource: {},
    events: [],
    links: [],
    ...extra,
  };
}

function log(spanId: string | null, atMs: number, body: string): LogLine {
  return {
    time: '2026-11-22T02:00:00.000Z',
    timeUnixNano: (T0 + BigInt(Math.round(atMs * 1e6))).toString(),
    tenantId: 't1',
    service: 'api',
    instance: null,
    component: null,
    severityNumber: 9,
    severityText: 'INFO',
    body,
    traceId: 'a'.repeat(32),
    spanId,
    attributes: {},
  };
}

const trace = (spans: TraceSpan[], logs: LogLine[] = []): TraceResponse => ({ traceId: 'a'.repeat(32), spans, logs });

describe('toWaterfall', () => {
  const t = trace(
    [
      span('root', null, 0, 0, 200),
      span('db', 'root', 1, 10, 50, { statusCode: 2, service: 'db' }),
      span('db-inner', 'db', 2, 20, 0.0004),
      span('late', 'root', 1, 150, 100, { perfViolation: true }),
    ],
    [log('db', 30, 'second'), log('root', 1, 'first'), log('ffffffffffffffff', 5, 'elsewhere'), log(null, 6, 'no span')],
  );
  const w = toWaterfall(t);

  it('places bars on the axis from the earliest start to the latest end, to the nanosecond', () => {
    expect(w.totalMs).toBe(250);
    expect(w.startUnixNano).toBe(T0);
    const [root, db, , late] = w.rows;
    expect(root).toMatchObject({ leftPct: 0, widthPct: 80, offsetMs: 0 });
    expect(db).toMatchObject({ leftPct: 4, widthPct: 20, offsetMs: 10 });
    expect(late!.leftPct).toBe(60);
    expect(late!.widthPct).toBe(40);
  });

  it('keeps a zero-length span visible as a sliver', () => {
    expect(w.rows[2]!.widthPct).toBeGreaterThan(0);
  });

  it('marks errors, violations and spans with children', () => {
    expect(w.rows.map((r) => [r.span.spanId, r.isError, r.isViolation, r.hasChildren])).toEqual([
      ['root', false, false, true],
      ['db', true, false, true],
      ['db-inner', false, false, false],
      ['late', false, true, false],
    ]);
  });

  it('puts each log line beside its span, by time, and keeps the rest as orphan logs', () => {
    expect(w.rows[0]!.logs.map((l) => l.body)).toEqual(['first']);
    expect(w.rows[1]!.logs.map((l) => l.body)).toEqual(['second']);
    expect(w.orphanLogs.map((l) => l.body)).toEqual(['elsewhere', 'no span']);
  });

  it('lists the services and tenants of the trace', () => {
    expect(w.services).toEqual(['api', 'db']);
    expect(w.tenants).toEqual(['t1']);
  });

  it('measures a log line or event from the trace origin', () => {
    expect(offsetFromOrigin(w, (T0 + 30_000_000n).toString())).toBe(30);
  });

  it('handles a trace of only log lines', () => {
    const only = toWaterfall(trace([], [log(null, 0, 'a'), log(null, 10, 'b')]));
    expect(only.rows).toEqual([]);
    expect(only.totalMs).toBe(10);
    expect(only.orphanLogs).toHaveLength(2);
  });
});

describe('visibleRows', () => {
  const w = toWaterfall(
    trace([span('root', null, 0, 0, 100), span('a', 'root', 1, 0, 10), span('a1', 'a', 2, 0, 5), span('b', 'root', 1, 20, 10)]),
  );
  it('hides every descendant of a collapsed span and nothing else', () => {
    expect(visibleRows(w.rows, new Set(['a'])).map((r) => r.span.spanId)).toEqual(['root', 'a', 'b']);
    expect(visibleRows(w.rows, new Set(['root'])).map((r) => r.span.spanId)).toEqual(['root']);
    expect(visibleRows(w.rows, new Set()).map((r) => r.span.spanId)).toEqual(['root', 'a', 'a1', 'b']);
  });
  it('ignores collapsing a leaf', () => {
    expect(visibleRows(w.rows, new Set(['a1']))).toHaveLength(4);
  });
});

describe('axisTicks', () => {
  it('spreads labels evenly from zero to the total', () => {
    expect(axisTicks(200, 4)).toEqual([
      { pct: 0, ms: 0 },
      { pct: 25, ms: 50 },
      { pct: 50, ms: 100 },
      { pct: 75, ms: 150 },
      { pct: 100, ms: 200 },
    ]);
    expect(axisTicks(0)).toEqual([{ pct: 0, ms: 0 }]);
  });
});
