import { QueriesTopResponseSchema } from '@stitch/contract';
import { renderTable } from '../../cli/render-table.js';
import { booleanFlag, defineQuestion, QueryBoolean, windowFlags, WindowParams } from '../question.js';

export const queriesQuestion = defineQuestion({
  name: 'queries',
  asks: 'Which query caused the spike?',
  summary: 'which query caused the spike: queries by how much their time grew over the window before',
  route: '/queries/top',
  params: WindowParams.extend({
    /** Also the kernel's own statements (`stitch.housekeeping`); left out by default. */
    housekeeping: QueryBoolean.optional(),
    /** Also schema changes (CREATE, ALTER, DROP, …: migrations); left out by default. */
    ddl: QueryBoolean.optional(),
  }),
  scope: 'traces:read',
  answer: QueriesTopResponseSchema,
  ask: async (ctx, params) =>
    (await import('../queries-top.js')).askQueriesTop(ctx.store, ctx.scope(params), params.limit ?? 20, { includeHousekeeping: params.housekeeping, includeSchemaChanges: params.ddl }),
  cli: {
    usage: 'stitch queries --top [--since 1h] [--until <time>] [--tenant <id>] [--limit 20] [--housekeeping] [--ddl]',
    example: 'stitch queries --top --since 30m --limit 10',
    // `--top` names the question (`stitch queries --top`); it is the only view.
    flags: { top: 'boolean', housekeeping: 'boolean', ddl: 'boolean' },
    params: (_args, flags) => ({ ...windowFlags(flags), housekeeping: booleanFlag(flags.housekeeping), ddl: booleanFlag(flags.ddl) }),
    render: (q) =>
      `${q.window.since} .. ${q.window.until} against ${q.baseline.since} .. ${q.baseline.until}\n` +
      renderTable(
        ['query', 'growth ms', 'total ms', 'before ms', 'count', 'before', 'p95', 'p95 before', 'tenants', 'example trace'],
        q.queries.map((r) => [
          r.queryName ?? r.statement,
          r.growthMs,
          r.totalMs,
          r.baselineTotalMs,
          r.count,
          r.baselineCount,
          r.p95Ms,
          r.baselineP95Ms,
          r.tenantCount,
          r.exampleTraceIds[0],
        ]),
      ),
  },
  ui: { path: '#/queries', label: 'Queries' },
});
