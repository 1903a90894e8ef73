import type { Attributes } from '@opentelemetry/api';
import { BUDGET_COMPONENTS, SpanAttr } from '@stitch/contract';
import type { BudgetComponent } from '@stitch/contract';

/**
 * The marking convention that puts a span under a budget. A wrapper (edge, query, HTTP out,
 * job) sets, AT SPAN START (so children can be tracked for `slowest_child`):
 *
 *   `stitch.component` = `route` | `query` | `external` | `job`
 *
 * and names the thing the per-name override is looked up by — at start or any time before end:
 *
 *   route    → `http.route`       (the route template, `/invoices/:id`; not the raw path)
 *   query    → `stitch.query.name` (the query's name, `invoice.by_id`)
 *   external → `server.address`   (the destination host, `api.stripe.com`)
 *   job      → `stitch.job.name`  (the job name, `nightly-report`)
 *
 * Without the naming attribute the span name is used. `budgetAttributes()` builds the pair.
 */
export const BUDGET_NAME_ATTRIBUTE: Readonly<Record<BudgetComponent, string>> = Object.freeze({
  route: SpanAttr.routeId,
  query: SpanAttr.queryName,
  external: 'server.address',
  job: SpanAttr.jobName,
});

/**
 * The start attributes that put a span under `component`'s budget, named `name`.
 *
 * @example
 *   withSpan('SELECT invoice', { attributes: budgetAttributes('query', 'invoice.by_id') }, run);
 */
export function budgetAttributes(component: BudgetComponent, name: string): Attributes {
  return { [SpanAttr.component]: component, [BUDGET_NAME_ATTRIBUTE[component]]: name };
}

export function isBudgetComponent(value: unknown): value is BudgetComponent {
  return typeof value === 'string' && (BUDGET_COMPONENTS as readonly string[]).includes(value);
}
