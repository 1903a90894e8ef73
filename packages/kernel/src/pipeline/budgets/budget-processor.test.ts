import { setTimeout as sleep } from 'node:timers/promises';
import { hrTimeToNanoseconds } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { PERF_VIOLATION_EVENT, SpanAttr } from '@stitch/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { startStitch } from '../../setup/start-stitch.js';
import type { StitchHandle } from '../../setup/start-stitch.js';
import type { TracingOptionsInput } from '../../core/tracing/tracing-options.js';
import { withSpan } from '../../core/tracing/with-span.js';
import { budgetAttributes } from './budget-marking.js';

const TENANT = '6f1c7a52-0a9e-4b7e-9b1e-2f0a1c3d4e5f';

let stitch: StitchHandle | undefined;
afterEach(async () => {
  await stitch?.shutdown();
  stitch = undefined;
});

function start(tracing: TracingOptionsInput) {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const spans: ReadableSpan[] = [];
  const sink: SpanProcessor = { onStart() {}, onEnd: (s) => void spans.push(s), forceFlush: async () => {}, shutdown: async () => {} };
  stitch = startStitch({
    serviceName: 'budget-test',
    tracing,
    spanProcessors: [sink],
    logger: { warn: (fields, message) => void warnings.push({ fields, message }) },
    env: {},
  });
  return { warnings, spans };
}

describe('budgets', () => {
  it('a route over budget writes exactly one warning with the slowest child, an event, a count, and the trace is kept', async () => {
    const { warnings, spans } = start({ sampling: { ratio: 0 }, budgets: { overrides: { route: { '/reports/:id': 5 } } } });
    await withSpan('GET /reports/:id', { root: true, attributes: { ...budgetAttributes('route', '/reports/:id'), [SpanAttr.tenantId]: TENANT } }, async () => {
      withSpan('auth.check', () => undefined);
      await withSpan('report.build', async () => sleep(20));
    });
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning!.fields).toMatchObject({
      perf_violation: true,
      tenant_id: TENANT,
      component: 'route',
      name: '/reports/:id',
      budget_ms: 5,
      slowest_child: 'report.build',
    });
    const root = spans.find((s) => s.name === 'GET /reports/:id')!;
    expect(warning!.fields.trace_id).toBe(root.spanContext().traceId);
    expect(warning!.fields.observed_ms).toBeGreaterThan(5);
    expect(root.attributes[SpanAttr.perfViolation]).toBe(true);
    expect(root.attributes[SpanAttr.budgetMillis]).toBe(5);
    const event = root.events.find((e) => e.name === PERF_VIOLATION_EVENT);
    expect(event?.attributes).toMatchObject({ component: 'route', slowest_child: 'report.build' });
    // Within its span: not after the span's end, as an event added "now" in onEnding was.
    expect(hrTimeToNanoseconds(event!.time)).toBeLessThanOrEqual(hrTimeToNanoseconds(root.endTime));
    expect(hrTimeToNanoseconds(event!.time)).toBeGreaterThanOrEqual(hrTimeToNanoseconds(root.startTime));
    // Head said no (ratio 0): the violation made the tail keep all three spans.
    expect(root.attributes[SpanAttr.samplingReason]).toBe('perf_violation');
    expect(spans).toHaveLength(3);
    expect(stitch!.budgetStats()).toEqual({ violations: 1, byComponent: { route: 1, query: 0, external: 0, job: 0 } });
  });

  it('stays silent for a span within its budget, and for spans that are not budgeted', async () => {
    const { warnings } = start({});
    withSpan('GET /fast', { root: true, attributes: budgetAttributes('route', '/fast') }, () => undefined);
    await withSpan('unbudgeted', async () => sleep(5));
    expect(warnings).toEqual([]);
    expect(stitch!.budgetStats().violations).toBe(0);
  });

  it('records the budget a span ran under, the default within budget included, and only on budgeted spans', async () => {
    const { spans } = start({ budgets: { routeMillis: 500 } });
    withSpan('GET /fast', { root: true, attributes: budgetAttributes('route', '/fast') }, () => {
      withSpan('unbudgeted', () => undefined);
    });
    const byName = new Map(spans.map((s) => [s.name, s]));
    expect(byName.get('GET /fast')?.attributes[SpanAttr.budgetMillis]).toBe(500);
    expect(byName.get('GET /fast')?.attributes[SpanAttr.perfViolation]).toBeUndefined();
    expect(byName.get('unbudgeted')?.attributes).not.toHaveProperty(SpanAttr.budgetMillis);
  });

  it('looks up the per-name override first, then the component default', async () => {
    const { warnings } = start({ budgets: { queryMillis: 1, overrides: { query: { 'report.big': 60_000 } } } });
    await withSpan('SELECT big', { attributes: budgetAttributes('query', 'report.big') }, async () => sleep(5));
    await withSpan('SELECT other', { attributes: budgetAttributes('query', 'invoice.by_id') }, async () => sleep(5));
    expect(warnings.map((w) => [w.fields.name, w.fields.budget_ms])).toEqual([['invoice.by_id', 1]]);
  });

  it('a name that is also an Object.prototype key (constructor, __proto__) gets the component default, not a function', async () => {
    const { warnings } = start({ budgets: { queryMillis: 1 } });
    await withSpan('SELECT c', { attributes: budgetAttributes('query', 'constructor') }, async () => sleep(5));
    await withSpan('SELECT p', { attributes: budgetAttributes('query', '__proto__') }, async () => sleep(5));
    expect(warnings.map((w) => [w.fields.name, w.fields.budget_ms])).toEqual([
      ['constructor', 1],
      ['__proto__', 1],
    ]);
  });

  it('does not warn twice for a span a wrapper already reported, but still keeps its trace', async () => {
    const { warnings, spans } = start({ sampling: { ratio: 0 }, budgets: { externalMillis: 1 } });
    await withSpan('POST api.stripe.com', { root: true, attributes: budgetAttributes('external', 'api.stripe.com') }, async (span) => {
      await sleep(5);
      span.setAttribute(SpanAttr.perfViolation, true);
    });
    expect(warnings).toEqual([]);
    expect(spans[0]?.attributes[SpanAttr.samplingReason]).toBe('perf_violation');
  });
});
