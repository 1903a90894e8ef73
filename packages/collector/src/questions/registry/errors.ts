import { ErrorsResponseSchema } from '@stitch/contract';
import { renderTable } from '../../cli/render-table.js';
import { askErrors } from '../failures.js';
import { defineQuestion, windowFlags, WindowParams } from '../question.js';

export const errorsQuestion = defineQuestion({
  name: 'errors',
  asks: 'Which approval failed and where?',
  summary: 'failed spans by tenant, route and component',
  route: '/errors',
  params: WindowParams,
  scope: 'traces:read',
  answer: ErrorsResponseSchema,
  ask: (ctx, params) => askErrors(ctx.store, ctx.scope(params), params.limit ?? 50),
  cli: {
    usage: 'stitch errors [--since 1h] [--tenant <id>]',
    example: 'stitch errors --since 1h --json',
    params: (_args, flags) => windowFlags(flags),
    render: (e) =>
      renderTable(
        ['tenant', 'route', 'component', 'count', 'traces', 'last seen', 'last message', 'example trace'],
        e.groups.map((g) => [g.tenantId, g.route, g.component, g.count, g.traceCount, g.lastSeen, g.lastMessage, g.exampleTraceIds[0]]),
      ),
  },
  ui: { path: '#/search?errors=true', label: 'Errors' },
});
