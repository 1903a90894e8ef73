import { QueriesTopResponseSchema } from '@stitch/contract';
import { renderTable } from '../../cli/render-table.js';
import { askQueriesTop } from '../queries-top.js';
import { defineQuestion, windowFlags, WindowParams } from '../question.js';

export const queriesQuestion = defineQuestion({
  name: 'queries',
  asks: 'Which query caused the spike?',
  summary: 'which query caused the spike: queries by total and p95 time',
  route: '/queries/top',
  params: WindowParams,
  scope: 'traces:read',
  answer: QueriesTopResponseSchema,
  ask: (ctx, params) => askQueriesTop(ctx.store, ctx.scope(params), params.limit ?? 20),
  cli: {
    usage: 'stitch queries --top [--since 1h] [--tenant <id>] [--limit 20]',
    example: 'stitch queries --top --since 30m --limit 10',
    params: (_args, flags) => windowFlags(flags),
    render: (q) =>
      renderTable(
        ['query', 'count', 'total ms', 'p95', 'max', 'tenants', 'example trace'],
        q.queries.map((r) => [r.queryName ?? r.statement, r.count, r.totalMs, r.p95Ms, r.maxMs, r.tenantCount, r.exampleTraceIds[0]]),
      ),
  },
  ui: { path: '#/queries', label: 'Queries' },
});
