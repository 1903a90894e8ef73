import { ViolationsResponseSchema } from '@stitch/contract';
import { renderTable } from '../../cli/render-table.js';
import { booleanFlag, defineQuestion, QueryBoolean, windowFlags, WindowParams } from '../question.js';
import { renderTenantCounts } from './tenant-counts.js';

export const ViolationsParams = WindowParams.extend({
  /** Also the kernel's bookkeeping spans (`stitch.housekeeping`); left out by default, as in search. */
  housekeeping: QueryBoolean.optional(),
});

export const violationsQuestion = defineQuestion({
  name: 'violations',
  asks: 'Which route blew its budget?',
  summary: 'which route blew its budget: routes, queries, jobs and external calls by violations, summed over tenants',
  route: '/violations',
  params: ViolationsParams,
  scope: 'traces:read',
  answer: ViolationsResponseSchema,
  ask: async (ctx, params) => (await import('../violations.js')).askViolations(ctx.store, ctx.scope(params), { limit: params.limit ?? 50, includeHousekeeping: params.housekeeping }),
  cli: {
    usage: 'stitch violations [--since 1h] [--until <time>] [--tenant <id>] [--limit 50] [--housekeeping]',
    example: 'stitch violations --since 2026-12-04T10:00:00Z --until 2026-12-04T11:00:00Z',
    flags: { housekeeping: 'boolean' },
    params: (_args, flags) => ({ ...windowFlags(flags), housekeeping: booleanFlag(flags.housekeeping) }),
    render: (v) =>
      renderTable(
        ['component', 'name', 'count', 'p95 ms', 'budget ms', 'tenants', 'route', 'last seen', 'example trace'],
        v.groups.map((g) => [
          g.component,
          g.name,
          g.count,
          g.p95Ms,
          g.budgetMs,
          renderTenantCounts(g.tenants, g.tenantCount),
          g.route,
          g.lastSeen,
          g.exampleTraceIds[0],
        ]),
      ),
  },
  ui: { path: '#/violations', label: 'Budget violations' },
});
