import { ViolationsResponseSchema } from '@stitch/contract';
import { renderTable } from '../../cli/render-table.js';
import { askViolations } from '../failures.js';
import { defineQuestion, windowFlags, WindowParams } from '../question.js';

export const violationsQuestion = defineQuestion({
  name: 'violations',
  asks: 'Which route blew its budget?',
  summary: 'budget violations by tenant, route and component',
  route: '/violations',
  params: WindowParams,
  scope: 'traces:read',
  answer: ViolationsResponseSchema,
  ask: (ctx, params) => askViolations(ctx.store, ctx.scope(params), params.limit ?? 50),
  cli: {
    usage: 'stitch violations [--since 1h] [--tenant <id>]',
    example: 'stitch violations --tenant 11111111-1111-4111-8111-111111111111',
    params: (_args, flags) => windowFlags(flags),
    render: (v) =>
      renderTable(
        ['tenant', 'route', 'component', 'name', 'count', 'p95', 'budget', 'example trace'],
        v.groups.map((g) => [g.tenantId, g.route, g.component, g.name, g.count, g.p95Ms, g.budgetMs, g.exampleTraceIds[0]]),
      ),
  },
  ui: { path: '#/search?violations=true', label: 'Budget violations' },
});
