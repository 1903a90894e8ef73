import { SlowResponseSchema } from '@stitch/contract';
import { renderTable } from '../../cli/render-table.js';
import { StitchError } from '@stitch/contract';
import { defineQuestion, windowFlags, WindowParams } from '../question.js';
import { askSlow } from '../slow.js';

export const slowQuestion = defineQuestion({
  name: 'slow',
  asks: 'Why is tenant X slow?',
  summary: "why tenant X is slow: routes ranked by X's excess over the other tenants, slowest traces",
  route: '/slow',
  params: WindowParams,
  scope: 'traces:read',
  answer: SlowResponseSchema,
  async ask(ctx, params) {
    const scope = ctx.scope(params);
    if (scope.tenantId === null) throw new StitchError('STITCH_ERR_COLLECTOR_TENANT_REQUIRED');
    return askSlow(ctx.store, scope.tenantId, scope, ctx.token.tenantId === null);
  },
  cli: {
    usage: 'stitch slow --tenant <id> [--since 1h]',
    example: 'stitch slow --tenant 11111111-1111-4111-8111-111111111111 --since 1h',
    params: (_args, flags) => windowFlags(flags),
    render: (s) =>
      `tenant ${s.tenantId}  ${s.window.since} .. ${s.window.until}\n` +
      renderTable(
        ['route', 'count', 'p50', 'p95', 'p99', 'budget', 'others p95', 'violations', 'step', 'step excess ms', 'example trace'],
        s.routes.map((r) => [
          r.route,
          r.count,
          r.p50Ms,
          r.p95Ms,
          r.p99Ms,
          r.budgetMs,
          r.otherTenantsP95Ms,
          r.violations,
          r.step?.name,
          r.step?.excessMs,
          r.exampleTraceIds?.[0],
        ]),
      ) +
      '\nslowest traces\n' +
      renderTable(
        ['trace', 'route', 'ms', 'dominant child', 'component', 'child ms'],
        s.slowestTraces.map((t) => [t.traceId, t.route, t.durationMs, t.dominantChild?.name, t.dominantChild?.component, t.dominantChild?.durationMs]),
      ),
  },
  ui: { path: '#/overview', label: 'Tenant overview (pick the tenant)' },
});
