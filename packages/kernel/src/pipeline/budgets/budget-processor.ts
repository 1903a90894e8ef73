import { context, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { hrTimeToMilliseconds, hrTimeToNanoseconds } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LogField, PERF_VIOLATION_EVENT, SpanAttr } from '@stitch/contract';
import type { BudgetComponent } from '@stitch/contract';
import { getScope } from '../../core/context/context-store.js';
import { keepTraceOf } from '../sampling/local-trace.js';
import type { BudgetOptions } from '../../core/tracing/tracing-options.js';
import { BUDGET_NAME_ATTRIBUTE, isBudgetComponent } from './budget-marking.js';

/** The one method of the kernel logger a violation needs (pino's signature). */
export interface WarnLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Budget violations counted since start (`budgetStats()`). */
export interface BudgetStats {
  violations: number;
  byComponent: Record<BudgetComponent, number>;
}

interface Slowest {
  name: string;
  nanos: number;
}

// Children of budgeted spans point to their parent, and each budgeted parent keeps its slowest
// ended child, on the span objects under private symbols: they go when the spans go, and cost
// no WeakMap bookkeeping on the hot path (see local-trace.ts).
const BUDGETED_PARENT = Symbol('stitch.budgetedParent');
const SLOWEST_CHILD = Symbol('stitch.slowestChild');

interface Tracked {
  [BUDGETED_PARENT]?: Tracked;
  [SLOWEST_CHILD]?: Slowest;
}

/**
 * Checks every budgeted span (see `budget-marking.ts`) as it ends. Over budget: exactly one
 * structured warning (`perf_violation: true`, `trace_id`, `tenant_id`, `component`, `name`,
 * `observed_ms`, `budget_ms`, `slowest_child`), a `stitch.perf_violation` event and attribute
 * on the span, a counter, and the trace is marked for the tail sampler to keep.
 *
 * It works in `onEnding`, while the span can still be changed, and must be registered before
 * the tail sampler so the keep mark is there when the root's decision is made.
 *
 * @example
 *   new BudgetProcessor(parseTracingOptions().budgets, logger)
 */
export class BudgetProcessor implements SpanProcessor {
  private readonly counters: BudgetStats = { violations: 0, byComponent: { route: 0, query: 0, external: 0, job: 0 } };

  constructor(
    private readonly options: BudgetOptions,
    private readonly logger: WarnLogger,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    const parent = trace.getSpan(parentContext) as Partial<ReadableSpan> | undefined;
    if (parent?.attributes !== undefined && isBudgetComponent(parent.attributes[SpanAttr.component])) (span as Tracked)[BUDGETED_PARENT] = parent as Tracked;
  }

  onEnding(span: Span): void {
    const parent = (span as Tracked)[BUDGETED_PARENT];
    if (parent !== undefined) {
      const nanos = hrTimeToNanoseconds(span.duration);
      const current = parent[SLOWEST_CHILD];
      if (current === undefined || nanos > current.nanos) parent[SLOWEST_CHILD] = { name: span.name, nanos };
    }
    const component = span.attributes[SpanAttr.component];
    if (!isBudgetComponent(component)) return;
    const named = span.attributes[BUDGET_NAME_ATTRIBUTE[component]];
    const name = typeof named === 'string' && named !== '' ? named : span.name;
    const budgetMillis = this.budgetFor(component, name);
    // Every budgeted span says what it ran under, within budget too: the collector compares a
    // route's p95 with its budget (`stitch slow`'s BUDGET column) and cannot know the defaults.
    if (span.attributes[SpanAttr.budgetMillis] === undefined) span.setAttribute(SpanAttr.budgetMillis, budgetMillis);
    const observedMillis = hrTimeToMilliseconds(span.duration);
    if (observedMillis <= budgetMillis) return;
    if (span.attributes[SpanAttr.perfViolation] === true) {
      // A wrapper already reported this one itself (its own check): keep the trace, warn once.
      keepTraceOf(span, 'perf_violation');
      return;
    }
    this.violation(span, component, name, Math.round(observedMillis * 1000) / 1000, budgetMillis);
  }

  onEnd(): void {}

  /** A snapshot of the counters. */
  stats(): BudgetStats {
    return { violations: this.counters.violations, byComponent: { ...this.counters.byComponent } };
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  private budgetFor(component: BudgetComponent, name: string): number {
    // Own keys only: a route or host named `constructor` must not find Object.prototype's.
    const overrides = this.options.overrides[component];
    if (Object.hasOwn(overrides, name)) return overrides[name] as number;
    switch (component) {
      case 'route':
        return this.options.routeMillis;
      case 'query':
        return this.options.queryMillis;
      case 'external':
        return this.options.externalMillis;
      case 'job':
        return this.options.jobMillis;
    }
  }

  private violation(span: Span, component: BudgetComponent, name: string, observedMillis: number, budgetMillis: number): void {
    const slowestChild = (span as Tracked)[SLOWEST_CHILD]?.name ?? null;
    const tenant = span.attributes[SpanAttr.tenantId] ?? getScope(context.active())?.tenantId ?? null;
    span.setAttribute(SpanAttr.perfViolation, true);
    span.setAttribute(SpanAttr.budgetMillis, budgetMillis);
    // Stamped at the span's end: onEnding runs after end() has fixed endTime, and an event
    // stamped "now" would fall after its own span (issue 15).
    span.addEvent(
      PERF_VIOLATION_EVENT,
      {
        component,
        name,
        observed_ms: observedMillis,
        budget_ms: budgetMillis,
        ...(slowestChild !== null && { slowest_child: slowestChild }),
      },
      span.endTime,
    );
    keepTraceOf(span, 'perf_violation');
    this.counters.violations += 1;
    this.counters.byComponent[component] += 1;
    try {
      this.logger.warn(
        {
          [LogField.perfViolation]: true,
          [LogField.traceId]: span.spanContext().traceId,
          [LogField.spanId]: span.spanContext().spanId,
          [LogField.tenantId]: tenant,
          component,
          name,
          observed_ms: observedMillis,
          budget_ms: budgetMillis,
          slowest_child: slowestChild,
        },
        // Constant, so every violation is one message to group by; the numbers are the fields.
        'over budget',
      );
    } catch {
      // Telemetry never breaks the host: a broken logger loses the line, the counter has it.
    }
  }
}
