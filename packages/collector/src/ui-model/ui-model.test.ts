import { describe, expect, it } from 'vitest';
import { formatDuration, formatDurationChange, formatTime, severityName, spanKindName } from './format.js';
import { budgetStatus, percentileScaleMs, timelineBars } from './overview-model.js';
import { EMPTY_FILTER, parseSearchFilter, toSearchQuery } from './search-filter.js';
import { layoutServiceMap } from './service-map-layout.js';

describe('formatDuration', () => {
  it.each([
    [0.4211, '0.42 ms'],
    [12.34, '12.3 ms'],
    [640.4, '640 ms'],
    [1520, '1.52 s'],
    [125_000, '2m 05s'],
  ])('%s ms reads as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatDurationChange', () => {
  it.each([
    [3900, '+3.90 s'],
    [-12, '−12 ms'],
    [0, '0 ms'],
  ])('%s ms reads as %s', (ms, text) => {
    expect(formatDurationChange(ms)).toBe(text);
  });
});

describe('formatting', () => {
  it('writes times in UTC with milliseconds, the same in every browser', () => {
    expect(formatTime('2026-11-22T02:14:05.123Z')).toBe('2026-11-22 02:14:05.123');
  });
  it('names span kinds and severities', () => {
    expect(spanKindName(2)).toBe('server');
    expect(severityName(17, null)).toBe('ERROR');
    expect(severityName(9, 'info')).toBe('INFO');
  });
});

describe('search filter', () => {
  it('sends only the filters that are set', () => {
    expect(toSearchQuery(EMPTY_FILTER)).toBe('since=1h');
    expect(toSearchQuery({ ...EMPTY_FILTER, tenant: ' t1 ', route: 'GET /a b', errors: true, minDurationMs: '250' })).toBe(
      'tenant=t1&route=GET+%2Fa+b&minDurationMs=250&errors=true&since=1h',
    );
  });
  it('drops a minimum duration that is not a number', () => {
    expect(toSearchQuery({ ...EMPTY_FILTER, minDurationMs: 'slow' })).toBe('since=1h');
  });
  it('reads back what it wrote', () => {
    const f = { ...EMPTY_FILTER, tenant: 't1', service: 'api', violations: true, since: '24h', until: '1h' };
    expect(parseSearchFilter(toSearchQuery(f))).toEqual(f);
  });
  it('asks for a span name, an attribute and the housekeeping traces only when set', () => {
    const f = { ...EMPTY_FILTER, name: 'enqueue', attr: 'stitch.job.id=job-7', housekeeping: true };
    expect(toSearchQuery(f)).toBe('name=enqueue&attr=stitch.job.id%3Djob-7&housekeeping=true&since=1h');
    expect(parseSearchFilter(toSearchQuery(f))).toEqual(f);
    expect(parseSearchFilter('').housekeeping).toBe(false);
  });
});

describe('overview model', () => {
  it('rates a route p95 against its budget', () => {
    expect(budgetStatus({ p95Ms: 640, budgetMs: 500 })).toBe('over');
    expect(budgetStatus({ p95Ms: 450, budgetMs: 500 })).toBe('near');
    expect(budgetStatus({ p95Ms: 100, budgetMs: 500 })).toBe('ok');
    expect(budgetStatus({ p95Ms: 100, budgetMs: null })).toBe('none');
  });
  it('scales timeline bars to the busiest bucket and totals violations', () => {
    const t = timelineBars([
      { start: 'a', requests: 4, errors: 0, violations: 1 },
      { start: 'b', requests: 2, errors: 1, violations: 0 },
    ]);
    expect(t.bars.map((b) => [b.requestsPct, b.violationsPct])).toEqual([
      [100, 100],
      [50, 0],
    ]);
    expect(t.totalViolations).toBe(1);
    expect(timelineBars([{ start: 'a', requests: 0, errors: 0, violations: 0 }]).bars[0]!.requestsPct).toBe(0);
  });
  it('scales percentile bars to the largest p99 or budget', () => {
    expect(percentileScaleMs([{ route: 'r', service: null, count: 1, errors: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3, budgetMs: 500, violations: 0 }])).toBe(500);
  });
});

describe('layoutServiceMap', () => {
  const window = { since: 'a', until: 'b' };
  it('puts callers left of the services they call', () => {
    const l = layoutServiceMap({
      window,
      nodes: [
        { service: 'api', spans: 5, errors: 1 },
        { service: 'billing', spans: 2, errors: 0 },
        { service: 'db', spans: 3, errors: 0 },
      ],
      edges: [
        { from: 'api', to: 'billing', calls: 2, errors: 0, p95Ms: 10 },
        { from: 'billing', to: 'db', calls: 1, errors: 0, p95Ms: 5 },
        { from: 'api', to: 'db', calls: 1, errors: 0, p95Ms: 5 },
      ],
    });
    const col = Object.fromEntries(l.nodes.map((n) => [n.service, n.column]));
    expect(col).toEqual({ api: 0, billing: 1, db: 2 });
    expect(l.edges.every((e) => !e.backwards && e.x2 > e.x1)).toBe(true);
  });
  it('terminates on a cycle and marks the edge going back', () => {
    const l = layoutServiceMap({
      window,
      nodes: [],
      edges: [
        { from: 'a', to: 'b', calls: 1, errors: 0, p95Ms: 1 },
        { from: 'b', to: 'a', calls: 1, errors: 0, p95Ms: 1 },
      ],
    });
    expect(l.nodes).toHaveLength(2);
    expect(l.edges.some((e) => e.backwards)).toBe(true);
  });
});
